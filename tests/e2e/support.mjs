// Shared by the end-to-end tests: the browser, the server's URL, REST calls for set-up, the
// axe scan in both themes, and screenshots of failures.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, openSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join} from 'node:path';

import {chromium} from 'playwright-core';

export const URL_BASE = process.env.TS_URL;
if (!URL_BASE) {
    throw new Error('TS_URL is not set: run the tests through tests/e2e/run.sh');
}
export const PASSWORD = 'Password-123';
const ARTIFACTS = process.env.TS_E2E_ARTIFACTS ?? join(process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/townsquare-target`, 'e2e-artifacts');

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser;

export async function launch() {
    browser ??= await chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        // Root in CI and containers: Chromium's sandbox needs user namespaces we may not have.
        args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    return browser;
}

export async function closeBrowser() {
    await browser?.close();
    browser = undefined;
}

/** A fresh browser profile (its own cookies) with a page that fails on CSP violations. */
export async function newPage(options = {}) {
    const context = await (await launch()).newContext({baseURL: URL_BASE, ...options});
    const page = await context.newPage();
    page.cspViolations = [];
    page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
            page.cspViolations.push(msg.text());
        }
    });
    page.uncaught = [];
    page.on('pageerror', (err) => page.uncaught.push(String(err)));
    return page;
}

/** Runs `body(page...)`; on failure saves a screenshot of every page under the artifacts dir. */
export async function withScreenshots(name, pages, body) {
    try {
        await body();
    } catch (err) {
        mkdirSync(ARTIFACTS, {recursive: true});
        for (const [i, page] of pages().entries()) {
            const file = join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-')}-${i}.png`);
            await page.screenshot({path: file, fullPage: true}).catch(() => undefined);
            console.error(`e2e: screenshot ${file}`);
        }
        throw err;
    }
}

/** axe-core on the current screen in the light and the dark theme: zero violations. */
export async function expectAccessible(page, screen) {
    const problems = [];
    for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({colorScheme, reducedMotion: 'reduce'});
        // Evaluated through the DevTools protocol, so the page's CSP stays as served.
        await page.evaluate(`${AXE_SOURCE}\n;undefined`);
        const result = await page.evaluate(async () => {
            // eslint-disable-next-line no-undef
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}));
        });
        for (const violation of result) {
            problems.push(`${screen} (${colorScheme}): ${violation.id} [${violation.impact}] ${violation.help} at ${violation.nodes.join(', ')}`);
        }
    }
    await page.emulateMedia({colorScheme: 'light'});
    if (problems.length > 0) {
        throw new Error(`accessibility violations:\n${problems.join('\n')}`);
    }
}

/** A REST call as a user (bearer token), for set-up the UI is not being tested on. */
export async function api(token, method, path, body) {
    const response = await fetch(`${URL_BASE}/api/v4${path}`, {
        method,
        headers: {
            'Content-Type': 'application/json',
            ...(token ? {Authorization: `Bearer ${token}`} : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
        throw new Error(`${method} ${path}: ${response.status} ${text}`);
    }
    return {body: text ? JSON.parse(text) : null, token: response.headers.get('token')};
}

export async function loginToken(username) {
    return (await api(null, 'POST', '/users/login', {login_id: username, password: PASSWORD})).token;
}

let counter = 0;
export function uniqueName(prefix) {
    counter += 1;
    return `${prefix}${Date.now().toString(36)}${counter}`;
}

async function until(check, ms, what) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
        if (await check()) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
}

/** Running, not exited (an exited child of run.sh stays a zombie until run.sh reaps it). */
function running(pid) {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
        return false;
    }
}

async function answers() {
    try {
        return (await fetch(`${URL_BASE}/api/v4/system/ping`)).ok;
    } catch {
        return false;
    }
}

/**
 * Stops the server (SIGTERM, as a service manager would), runs `whileDown`, and starts it again
 * with the same command, port and database (run.sh's start-server.sh).
 */
export async function restartServer(whileDown = async () => {}) {
    const pidFile = process.env.TS_E2E_PID_FILE;
    const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : process.env.TS_E2E_SERVER_PID);
    process.kill(pid, 'SIGTERM');
    await until(() => !running(pid), 15000, 'the server to stop');
    await whileDown();
    const log = openSync(process.env.TS_E2E_LOG, 'a');
    const child = spawn('bash', [process.env.TS_E2E_START], {detached: true, stdio: ['ignore', log, log]});
    child.unref();
    writeFileSync(pidFile, String(child.pid));
    await until(answers, 30000, 'the restarted server to answer');
}
