'use strict';

// Every value from the server is put in the page with textContent, never as HTML.
function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
}

function time(iso) {
  return new Date(iso).toLocaleTimeString();
}

const shown = {};

// Replaces a table's rows, unless they would be the same (so a selection or a reader is not disturbed).
function fillTable(id, items, columns) {
  const json = JSON.stringify(items);
  if (shown[id] === json) {
    return;
  }
  shown[id] = json;
  const body = document.querySelector('#' + id + ' tbody');
  const rows = items.map((item) => {
    const row = document.createElement('tr');
    columns(item).forEach(([text, className]) => cell(row, text, className));
    return row;
  });
  body.replaceChildren(...rows);
}

let serversShown = false;

async function refreshMails() {
  const response = await fetch('/api/mails');
  const data = await response.json();
  if (!serversShown) {
    const select = document.getElementById('server');
    select.replaceChildren(...data.servers.map((server) => {
      const option = document.createElement('option');
      option.value = server.name;
      option.textContent = server.name + ' (' + server.address + ')';
      return option;
    }));
    document.getElementById('servers').textContent = 'Servers: '
      + data.servers.map((server) => server.name + ' = ' + server.address).join(', ') + '.';
    serversShown = true;
  }
  document.getElementById('mails-note').textContent = data.embedded
    ? 'An in-process GreenMail server: nothing leaves this machine.'
    : 'A real SMTP server is configured; the embedded server, and so this list, is not used.';
  fillTable('mails', data.mails, (mail) => [
    [time(mail.receivedAt)], [mail.from.join(', ')], [mail.to.join(', ')], [mail.subject],
    [mail.size + ' B', 'number'], [mail.attachments.join(', ')]
  ]);
}

async function refreshCommands() {
  const response = await fetch('/api/commands');
  const entries = await response.json();
  fillTable('commands', entries.slice(0, 20), (entry) => [
    [time(entry.time)], [entry.server], [entry.command], [entry.replyCode === null ? '' : String(entry.replyCode)],
    [entry.millis === null ? '' : entry.millis.toFixed(2), 'number'], [entry.detail || '']
  ]);
}

function refresh() {
  return Promise.all([refreshMails(), refreshCommands()]).catch((error) => console.error(error));
}

document.getElementById('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = document.getElementById('result');
  const button = document.getElementById('send');
  button.disabled = true;
  result.className = '';
  result.textContent = 'Sending…';
  try {
    const response = await fetch('/api/mails', { method: 'POST', body: new FormData(form) });
    const body = await response.json();
    if (response.ok) {
      result.className = 'ok';
      result.textContent = 'Sent through ' + body.server + ' as ' + body.messageId;
    } else {
      result.className = 'error';
      result.textContent = body.detail || ('HTTP ' + response.status);
    }
  } catch (error) {
    result.className = 'error';
    result.textContent = String(error);
  } finally {
    button.disabled = false;
    await refresh();
  }
});

refresh();
setInterval(refresh, 2000);
