package io.github.smtpkit.sample;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Drives the page in a real headless browser, as a newcomer would use it: fill in the form, attach
 * a file, send, and see the mail appear in the list of received mails.
 *
 * <p>Uses Debian's {@code chromium} and {@code chromium-driver} (.ci/run installs them), named by
 * path so that Selenium never looks for or downloads a driver. Skipped only when
 * {@value #CHROMIUM} is absent.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleBrowserTests {

	private static final String CHROMIUM = "/usr/bin/chromium";

	private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

	private static final Duration WAIT = Duration.ofSeconds(20);

	/**
	 * Debian's Chromium is newer than the DevTools (CDP) versions this Selenium ships, which it
	 * warns about; the test uses WebDriver only. Held here because java.util.logging keeps its
	 * loggers (and so their levels) only as long as someone refers to them.
	 */
	private static final Logger CDP_VERSION_WARNINGS = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

	private static final Logger CDP_MISSING_WARNINGS = quiet("org.openqa.selenium.chromium.ChromiumDriver");

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedMailServer embeddedServer;

	@TempDir
	Path temp;

	private ChromeDriverService service;

	private WebDriver driver;

	@BeforeEach
	void startBrowser() throws IOException {
		assumeTrue(Files.isExecutable(Path.of(CHROMIUM)),
				CHROMIUM + " is not installed (apt-get install chromium chromium-driver): skipping the browser test");
		assertThat(Path.of(CHROMEDRIVER)).as("chromium is installed, so chromium-driver must be too").isExecutable();
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.withTimeout(WAIT)
			.build();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir=" + Files.createDirectory(this.temp.resolve("profile")), "--window-size=1200,1000");
		this.driver = new ChromeDriver(this.service, options);
		this.driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
	}

	@AfterEach
	void stopBrowser() {
		if (this.driver != null) {
			this.driver.quit();
		}
		if (this.service != null) {
			this.service.stop();
		}
	}

	@Test
	void sendsAMailFromTheFormAndSeesItArrive() throws IOException {
		String subject = "From the browser " + UUID.randomUUID();
		Path attachment = Files.writeString(this.temp.resolve("report.txt"), "A file from the browser\n",
				StandardCharsets.UTF_8);
		WebDriverWait wait = new WebDriverWait(this.driver, WAIT);

		this.driver.get("http://127.0.0.1:" + this.port + "/");
		// The server list comes from /api/mails: once it is there, the page's script has run.
		wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#server option[value='default']")));
		new Select(this.driver.findElement(By.id("server"))).selectByValue("secure");
		replaceText(By.id("to"), "browser@example.com");
		replaceText(By.id("subject"), subject);
		replaceText(By.id("text"), "Typed into the sample's form by Selenium.");
		this.driver.findElement(By.id("attachment")).sendKeys(attachment.toString());
		this.driver.findElement(By.id("send")).click();

		WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#result.ok")));
		assertThat(result.getText()).startsWith("Sent through secure as <");
		List<String> received = wait.until(cellsOfRow(
				By.xpath("//table[@id='mails']/tbody/tr[td[4][normalize-space(.)='" + subject + "']]")));
		assertThat(received).contains("sample@smtpkit.test", "browser@example.com", subject, "report.txt");
		assertThat(this.embeddedServer.receivedMails()).anySatisfy((mail) -> {
			assertThat(mail.subject()).isEqualTo(subject);
			assertThat(mail.attachments()).containsExactly("report.txt");
		});
		List<String> command = wait.until(
				cellsOfRow(By.xpath("//table[@id='commands']/tbody/tr[td[2]='secure' and td[3]='END-OF-DATA']")));
		assertThat(command).contains("250");
	}

	@Test
	void anAttachmentOverTheLimitIsRefusedWithASentenceNamingTheLimit() throws IOException {
		Path attachment = Files.write(this.temp.resolve("huge.bin"), new byte[20 * 1024 * 1024]);
		WebDriverWait wait = new WebDriverWait(this.driver, WAIT);

		this.driver.get("http://127.0.0.1:" + this.port + "/");
		wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#server option[value='default']")));
		replaceText(By.id("subject"), "Too big " + UUID.randomUUID());
		this.driver.findElement(By.id("attachment")).sendKeys(attachment.toString());
		this.driver.findElement(By.id("send")).click();

		WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#result.error")));
		assertThat(result.getText()).isEqualTo("The mail with its attachment is larger than 11MB, the most this "
				+ "sample accepts in one request (spring.servlet.multipart.max-request-size); attachments may be up to "
				+ "10MB (spring.servlet.multipart.max-file-size).");
	}

	/**
	 * What answers a proxy, a crash or a lost connection give (no body, HTML, JSON without a detail,
	 * no answer at all) is shown as a sentence too. The page's fetch is replaced by one that gives
	 * these answers, in turn, to the form's POSTs and to the lists' refresh.
	 */
	@Test
	void answersWithoutAProblemDetailAreShownAsSentences() {
		WebDriverWait wait = new WebDriverWait(this.driver, WAIT);
		this.driver.get("http://127.0.0.1:" + this.port + "/");
		wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#server option[value='default']")));
		((JavascriptExecutor) this.driver).executeScript("""
				const posts = [
				  () => new Response('', { status: 413, statusText: 'Content Too Large' }),
				  () => new Response('<html><body><h1>502 Bad Gateway</h1></body></html>',
				      { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }),
				  () => new Response('{"timestamp":"2026-01-01T00:00:00Z","status":500,"path":"/api/mails"}',
				      { status: 500, headers: { 'Content-Type': 'application/json' } }),
				  () => new Response('Request body too large', { status: 413 }),
				  () => { throw new TypeError('Failed to fetch'); }
				];
				const original = window.fetch;
				window.fetch = async (url, options) => {
				  if (options && options.method === 'POST') {
				    return posts.shift()();
				  }
				  if (url === '/api/commands') {
				    return new Response('', { status: 503, statusText: 'Service Unavailable' });
				  }
				  return original(url, options);
				};
				""");

		assertThat(send(wait)).isEqualTo("HTTP 413 Content Too Large: the mail is larger than the server accepts.");
		assertThat(send(wait)).isEqualTo("HTTP 502 Bad Gateway: the server could not handle the request, and did not "
				+ "say why.");
		assertThat(send(wait)).isEqualTo("HTTP 500: the server could not handle the request, and did not say why.");
		assertThat(send(wait)).isEqualTo("HTTP 413: Request body too large.");
		assertThat(send(wait)).isEqualTo("Could not reach the sample at http://127.0.0.1:" + this.port
				+ " (Failed to fetch): is it still running?");
		assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("refresh-status"))).getText())
			.isEqualTo("Could not refresh the lists: HTTP 503 Service Unavailable: the server could not handle the "
					+ "request, and did not say why.");
	}

	/** Sends the form and waits for the error it ends in: the sentence shown. */
	private String send(WebDriverWait wait) {
		((JavascriptExecutor) this.driver).executeScript("document.getElementById('result').textContent = '';");
		this.driver.findElement(By.id("send")).click();
		return wait.until((driver) -> {
			WebElement result = driver.findElement(By.id("result"));
			String text = result.getText();
			boolean done = "error".equals(result.getAttribute("class")) && !text.isEmpty()
					&& driver.findElement(By.id("send")).isEnabled();
			return done ? text : null;
		});
	}

	/**
	 * The texts of the cells of the first row found, read at once: the page redraws its tables when
	 * what they show changes, so a row found now may be gone a moment later (the wait then tries again).
	 */
	private static ExpectedCondition<List<String>> cellsOfRow(By row) {
		return (driver) -> {
			try {
				List<WebElement> rows = driver.findElements(row);
				return rows.isEmpty() ? null
						: rows.get(0).findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
			}
			catch (StaleElementReferenceException ex) {
				return null;
			}
		};
	}

	private static Logger quiet(String name) {
		Logger logger = Logger.getLogger(name);
		logger.setLevel(Level.SEVERE);
		return logger;
	}

	private void replaceText(By locator, String text) {
		WebElement element = this.driver.findElement(locator);
		element.clear();
		element.sendKeys(text);
	}

}
