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

// Every failure the page meets is shown as a sentence, whatever answered: the API's problem detail
// (RFC 9457, a "detail" sentence), another JSON body, a proxy's HTML or plain text, or nothing at all.

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) {
    return (bytes / (1024 * 1024)).toFixed(1) + ' MB';
  }
  return bytes >= 1024 ? (bytes / 1024).toFixed(1) + ' KB' : bytes + ' bytes';
}

function httpStatus(response) {
  return 'HTTP ' + response.status + (response.statusText ? ' ' + response.statusText : '');
}

function asSentence(text) {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : trimmed + '.';
}

// The sentence for a response that is not OK.
async function problemSentence(response, attachment) {
  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    // An unreadable body says nothing more than the status.
  }
  let body = null;
  try {
    body = JSON.parse(text);
  } catch (error) {
    // Empty, HTML or plain text.
  }
  if (body && typeof body === 'object') {
    if (typeof body.detail === 'string' && body.detail.trim()) {
      return asSentence(body.detail);
    }
    if (typeof body.message === 'string' && body.message.trim()) {
      return httpStatus(response) + ': ' + asSentence(body.message);
    }
  } else if (text.trim() && text.length <= 200 && !text.trim().startsWith('<')) {
    return httpStatus(response) + ': ' + asSentence(text);
  }
  if (response.status === 413) {
    const what = attachment ? 'the mail with its ' + sizeText(attachment.size) + ' attachment' : 'the mail';
    return httpStatus(response) + ': ' + what + ' is larger than the server accepts.';
  }
  if (response.status === 400) {
    return httpStatus(response) + ': the server could not use the form, and did not say why.';
  }
  if (response.status >= 500) {
    return httpStatus(response) + ': the server could not handle the request, and did not say why.';
  }
  return httpStatus(response) + ' from the server, without an explanation.';
}

// The sentence for a request that got no answer at all.
function unreachableSentence(error, attachment) {
  const why = error && error.message ? ' (' + error.message + ')' : '';
  if (attachment && attachment.size > 1024 * 1024) {
    return 'The connection broke while the ' + sizeText(attachment.size) + ' attachment was sent' + why
      + ': the server may have refused it as too large, or stopped.';
  }
  return 'Could not reach the sample at ' + window.location.origin + why + ': is it still running?';
}

// GET a JSON resource, or throw an Error whose message is a sentence.
async function getJson(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(unreachableSentence(error, null));
  }
  if (!response.ok) {
    throw new Error(await problemSentence(response, null));
  }
  try {
    return await response.json();
  } catch (error) {
    throw new Error(url + ' answered ' + httpStatus(response) + ', but not with JSON.');
  }
}

let serversShown = false;

async function refreshMails() {
  const data = await getJson('/api/mails');
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
  const entries = await getJson('/api/commands');
  fillTable('commands', entries.slice(0, 20), (entry) => [
    [time(entry.time)], [entry.server], [entry.command], [entry.replyCode === null ? '' : String(entry.replyCode)],
    [entry.millis === null ? '' : entry.millis.toFixed(2), 'number'], [entry.detail || '']
  ]);
}

function refresh() {
  const status = document.getElementById('refresh-status');
  return Promise.all([refreshMails(), refreshCommands()])
    .then(() => {
      status.textContent = '';
    })
    .catch((error) => {
      status.textContent = 'Could not refresh the lists: ' + error.message;
    });
}

document.getElementById('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = document.getElementById('result');
  const button = document.getElementById('send');
  const attachment = form.elements.attachment.files[0] || null;
  button.disabled = true;
  result.className = '';
  result.textContent = 'Sending…';
  try {
    let response;
    try {
      response = await fetch('/api/mails', { method: 'POST', body: new FormData(form) });
    } catch (error) {
      throw new Error(unreachableSentence(error, attachment));
    }
    if (!response.ok) {
      throw new Error(await problemSentence(response, attachment));
    }
    let body;
    try {
      body = await response.json();
    } catch (error) {
      throw new Error('The server answered ' + httpStatus(response)
        + ', but not with the sent mail\'s JSON: it may or may not have been sent.');
    }
    result.className = 'ok';
    result.textContent = 'Sent through ' + body.server + ' as ' + body.messageId;
  } catch (error) {
    result.className = 'error';
    result.textContent = error.message;
  } finally {
    button.disabled = false;
    await refresh();
  }
});

refresh();
setInterval(refresh, 2000);
