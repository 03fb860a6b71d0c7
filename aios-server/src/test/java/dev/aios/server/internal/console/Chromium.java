package dev.aios.server.internal.console;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The system's Chromium (Debian's {@code chromium} and {@code chromium-driver}), headless, with a
 * fresh profile and every feature that would reach the network switched off. Nothing is downloaded:
 * where no Chromium is installed, tests that need one are skipped.
 */
final class Chromium {
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private Chromium() {}

    /** The browser and its driver, when both are installed. */
    static Optional<Path[]> installed() {
        var browser =
                BROWSERS.stream().map(Path::of).filter(Files::isExecutable).findFirst();
        var driver = DRIVERS.stream().map(Path::of).filter(Files::isExecutable).findFirst();
        return browser.isPresent() && driver.isPresent()
                ? Optional.of(new Path[] {browser.get(), driver.get()})
                : Optional.empty();
    }

    /** A headless Chromium with a fresh profile in {@code profile}, {@code width} × {@code height} pixels. */
    static ChromeDriver start(Path profile, int width, int height) {
        var found = installed().orElseThrow(() -> new IllegalStateException("no Chromium installed"));
        var options = new ChromeOptions();
        options.setBinary(found[0].toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile.toAbsolutePath());
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(found[1].toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }
}
