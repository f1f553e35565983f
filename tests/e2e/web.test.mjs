// The web client end to end: a fresh server claimed in the browser, two people chatting in
// two browser profiles, the keyboard-only path, and axe on every screen in both themes.
// Tests run in order on one server (run.sh starts it without accounts).
import assert from 'node:assert/strict';
import {after, test} from 'node:test';

import {
    PASSWORD, api, closeBrowser, expectAccessible, loginToken, newPage, restartServer, uniqueName,
    withScreenshots,
} from './support.mjs';

const ADMIN = 'admin';
const TEAM = 'e2e-team';
const pages = [];

after(async () => {
    await closeBrowser();
});

async function page(options) {
    const p = await newPage(options);
    pages.push(p);
    return p;
}

function expectNoCspViolations(p) {
    assert.deepEqual(p.cspViolations, [], 'no Content-Security-Policy violations');
    assert.deepEqual(p.uncaught, [], 'no uncaught errors');
}

async function uiLogin(p, username) {
    await p.goto('/login');
    await p.getByLabel('Email or username').fill(username);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', {name: 'Log in'}).click();
    await p.getByRole('heading', {level: 1, name: 'Town Square'}).waitFor();
}

function composer(p) {
    return p.getByRole('textbox', {name: /^Message /});
}

function post(p, text) {
    return p.locator('article.post', {hasText: text});
}

test('first run: the first account, made in a browser on this machine, is the admin', async () => {
    const p = await page();
    await withScreenshots('first-run', () => [p], async () => {
        await p.goto('/');
        await p.waitForURL('**/signup_user_complete');
        await p.getByRole('heading', {level: 1, name: 'Set up Townsquare'}).waitFor();
        await expectAccessible(p, 'first-run sign-up');
        await p.getByLabel('Email').fill('admin@example.com');
        await p.getByLabel('Username').fill(ADMIN);
        await p.getByLabel('Password').fill(PASSWORD);
        await p.getByRole('button', {name: 'Create account'}).click();

        await p.waitForURL('**/select_team');
        await p.getByRole('heading', {level: 1, name: 'Teams'}).waitFor();
        await expectAccessible(p, 'teams');
        await p.getByLabel('Team name').fill('E2E Team');
        assert.equal(await p.getByLabel('Team URL').inputValue(), TEAM);
        await p.getByRole('button', {name: 'Create team'}).click();

        await p.waitForURL(`**/${TEAM}/channels/town-square`);
        await p.getByRole('heading', {level: 1, name: 'Town Square'}).waitFor();
        await expectAccessible(p, 'channel');
        const me = await api(await loginToken(ADMIN), 'GET', '/users/me');
        assert.equal(me.body.roles, 'system_admin system_user');
        expectNoCspViolations(p);
    });
});

test('the log-in screen, and logging out', async () => {
    const p = await page();
    await withScreenshots('login', () => [p], async () => {
        await p.goto('/signup_user_complete');
        await p.getByRole('heading', {level: 1, name: 'Create your account'}).waitFor();
        await expectAccessible(p, 'sign-up');

        await p.goto(`/${TEAM}/channels/off-topic`);
        await p.waitForURL(/\/login\?redirect_to=/);
        await p.getByRole('heading', {level: 1, name: /Log in/}).waitFor();
        await expectAccessible(p, 'login');
        await p.getByLabel('Email or username').fill(ADMIN);
        await p.getByLabel('Password').fill('wrong-password');
        await p.getByRole('button', {name: 'Log in'}).click();
        await p.getByRole('alert').waitFor();
        await p.getByLabel('Password').fill(PASSWORD);
        await p.getByRole('button', {name: 'Log in'}).click();
        // Back where the visitor was going.
        await p.getByRole('heading', {level: 1, name: 'Off-Topic'}).waitFor();

        await p.goto(`/${TEAM}/no-such-view/x`);
        await p.getByRole('heading', {level: 1, name: 'Page not found'}).waitFor();
        await expectAccessible(p, 'page not found');
        await p.goto('/no-such-team/channels/town-square');
        await p.getByRole('heading', {level: 1, name: 'Team not found'}).waitFor();
        await expectAccessible(p, 'team not found');

        await p.goto(`/${TEAM}/channels/off-topic`);
        await p.getByRole('button', {name: 'Log out'}).click();
        await p.waitForURL('**/login');
        await p.goto(`/${TEAM}/channels/town-square`);
        await p.waitForURL(/\/login/);
        expectNoCspViolations(p);
    });
});

test('two people chat in real time: posts, edits and deletes arrive without reloading', async () => {
    const adminToken = await loginToken(ADMIN);
    const bob = uniqueName('bob');
    const created = await api(adminToken, 'POST', '/users', {username: bob, email: `${bob}@example.com`, password: PASSWORD});
    const team = (await api(adminToken, 'GET', `/teams/name/${TEAM}`)).body;
    await api(adminToken, 'POST', `/teams/${team.id}/members`, {team_id: team.id, user_id: created.body.id});

    const a = await page();
    const b = await page();
    await withScreenshots('chat', () => [a, b], async () => {
        await uiLogin(a, ADMIN);
        await uiLogin(b, bob);

        const hello = `hello from admin ${Date.now()}`;
        await composer(a).fill(hello);
        await composer(a).press('Enter');
        await post(a, hello).waitFor();
        await post(b, hello).waitFor();

        const reply = `hi admin, **bob** here ${Date.now()}`;
        await composer(b).fill(reply);
        await b.getByRole('button', {name: 'Send'}).click();
        const shown = reply.replace(/\*\*/g, '');
        await post(a, shown).waitFor();
        assert.equal(await post(a, shown).locator('strong').textContent(), 'bob');

        // Edits and deletes by the author reach the other browser.
        const bobToken = await loginToken(bob);
        const posts = (await api(bobToken, 'GET', `/channels/${(await api(bobToken, 'GET', `/teams/${team.id}/channels/name/town-square`)).body.id}/posts`)).body;
        const bobPost = Object.values(posts.posts).find((p) => p.message === reply);
        await api(bobToken, 'PUT', `/posts/${bobPost.id}/patch`, {message: 'edited by bob'});
        await post(a, 'edited by bob').waitFor();
        await post(a, 'edited by bob').getByText('(edited)').waitFor();
        await api(bobToken, 'DELETE', `/posts/${bobPost.id}`);
        await post(a, 'edited by bob').waitFor({state: 'detached'});

        // A mention in another channel: a badge in the other person's sidebar.
        await a.getByRole('link', {name: /^Off-Topic/}).click();
        await a.getByRole('heading', {level: 1, name: 'Off-Topic'}).waitFor();
        await composer(a).fill(`@${bob} look here`);
        await composer(a).press('Enter');
        await b.getByRole('link', {name: 'Off-Topic, 1 mention'}).waitFor();
        await b.getByRole('link', {name: 'Off-Topic, 1 mention'}).click();
        await post(b, 'look here').waitFor();
        await b.getByRole('link', {name: 'Off-Topic', exact: true}).waitFor();

        // Revoking bob's sessions closes his socket, and his client asks him to log in again.
        await api(adminToken, 'POST', `/users/${created.body.id}/sessions/revoke/all`);
        await b.waitForURL(/\/login\?redirect_to=/);
        await b.getByRole('heading', {level: 1, name: /Log in/}).waitFor();
        expectNoCspViolations(a);
        expectNoCspViolations(b);
    });
});

test('a dropped connection shows "Reconnecting", and what was missed arrives after it', async () => {
    const p = await page();
    // The page's WebSocket goes through here: while `down`, every connection is refused.
    let down = false;
    const open = [];
    await p.routeWebSocket(/\/api\/v4\/websocket/, (ws) => {
        if (down) {
            ws.close({code: 4000, reason: 'test outage'});
            return;
        }
        ws.connectToServer();
        open.push(ws);
    });
    await withScreenshots('reconnect', () => [p], async () => {
        await uiLogin(p, ADMIN);
        await p.waitForFunction(() => true);
        assert.ok(open.length > 0, 'the client connected its WebSocket');
        down = true;
        for (const ws of open.splice(0)) {
            await ws.close({code: 4000, reason: 'test outage'}).catch(() => undefined);
        }
        await p.getByRole('status').filter({hasText: 'Reconnecting'}).waitFor();

        const token = await loginToken(ADMIN);
        const team = (await api(token, 'GET', `/teams/name/${TEAM}`)).body;
        const channel = (await api(token, 'GET', `/teams/${team.id}/channels/name/town-square`)).body;
        const missed = `posted during the outage ${Date.now()}`;
        await api(token, 'POST', '/posts', {channel_id: channel.id, message: missed});
        await p.waitForTimeout(500);
        assert.equal(await post(p, missed).count(), 0);

        down = false;
        await post(p, missed).waitFor({timeout: 20000});
        await p.getByRole('status').filter({hasText: 'Reconnecting'}).waitFor({state: 'detached'});
        expectNoCspViolations(p);
    });
});

test('the server restarts: the client reconnects and reads what it missed', async () => {
    const p = await page();
    await withScreenshots('restart', () => [p], async () => {
        await uiLogin(p, ADMIN);
        await restartServer(async () => {
            await p.getByRole('status').filter({hasText: 'Reconnecting'}).waitFor();
        });
        // Posted as soon as the server is back: before the client reconnects, most likely, so
        // it arrives through the REST resync (a new server cannot resume the old stream).
        const token = await loginToken(ADMIN);
        const team = (await api(token, 'GET', `/teams/name/${TEAM}`)).body;
        const channel = (await api(token, 'GET', `/teams/${team.id}/channels/name/town-square`)).body;
        const missed = `posted right after the restart ${Date.now()}`;
        await api(token, 'POST', '/posts', {channel_id: channel.id, message: missed});
        await post(p, missed).waitFor({timeout: 20000});
        await p.getByRole('status').filter({hasText: 'Reconnecting'}).waitFor({state: 'detached'});
        // And live again.
        const live = `live after the restart ${Date.now()}`;
        await api(token, 'POST', '/posts', {channel_id: channel.id, message: live});
        await post(p, live).waitFor();
        expectNoCspViolations(p);
    });
});

test('keyboard only: log in, skip to the message box, write two lines, send', async () => {
    const p = await page();
    await withScreenshots('keyboard', () => [p], async () => {
        await p.goto('/login');
        // The first field has focus; Tab moves on, Enter submits.
        await p.getByLabel('Email or username').waitFor();
        assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'username');
        await p.keyboard.type(ADMIN);
        await p.keyboard.press('Tab');
        await p.keyboard.type(PASSWORD);
        await p.keyboard.press('Enter');
        await p.getByRole('heading', {level: 1, name: 'Town Square'}).waitFor();

        await p.keyboard.press('Tab');
        assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Skip to the message box');
        await p.keyboard.press('Enter');
        assert.equal(await p.evaluate(() => document.activeElement?.id), 'composer');
        const text = `typed ${Date.now()}`;
        await p.keyboard.type(`${text} line one`);
        await p.keyboard.press('Shift+Enter');
        await p.keyboard.type('line two');
        await p.keyboard.press('Enter');
        const sent = post(p, `${text} line one`);
        await sent.waitFor();
        assert.match(await sent.locator('.message').innerHTML(), /line one<br>\s*line two/);
        assert.equal(await composer(p).inputValue(), '');
        // Focus is shown.
        const outline = await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.notEqual(outline, 'none');
        expectNoCspViolations(p);
    });
});

test('history scrolls back page by page; Markdown is sanitised', async () => {
    const token = await loginToken(ADMIN);
    const team = (await api(token, 'GET', `/teams/name/${TEAM}`)).body;
    const name = uniqueName('history-');
    const channel = (await api(token, 'POST', '/channels', {team_id: team.id, name, display_name: `History ${name}`, type: 'O'})).body;
    let firstId;
    for (let i = 1; i <= 75; i += 1) {
        const created = await api(token, 'POST', '/posts', {channel_id: channel.id, message: `numbered message ${i} end`});
        firstId ??= created.body.id;
    }
    await api(token, 'POST', '/posts', {channel_id: channel.id, message: [
        '<img src="x" onerror="window.__xss = 1"> <script>window.__xss = 2</script>',
        '[bad](javascript:window.__xss=3) [site](https://example.com/page)',
        '| a | b |', '|---|---|', '| 1 | 2 |',
    ].join('\n')});

    const p = await page();
    await withScreenshots('history', () => [p], async () => {
        await uiLogin(p, ADMIN);
        await p.goto(`/${TEAM}/channels/${name}`);
        await p.getByRole('heading', {level: 1, name: `History ${name}`}).waitFor();
        await post(p, 'numbered message 75 end').waitFor();
        assert.equal(await post(p, 'numbered message 1 end').count(), 0);
        await expectAccessible(p, 'channel with history');
        // Scrolling back (here with the keyboard: the history is focusable) loads older pages.
        await p.getByRole('button', {name: 'Load older messages'}).waitFor();
        await p.getByRole('region', {name: 'Messages'}).focus();
        await p.keyboard.press('Home');
        await post(p, 'numbered message 1 end').waitFor();
        await p.getByText('This is the start of the channel.').waitFor();
        await p.getByRole('heading', {level: 3, name: 'Today'}).waitFor();

        const link = p.getByRole('link', {name: 'site'});
        assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
        assert.equal(await link.getAttribute('target'), '_blank');
        for (const href of await p.locator('.message a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))) {
            assert.ok(!href.toLowerCase().startsWith('javascript:'), href);
        }
        // Raw HTML is shown as text, as Mattermost does.
        await post(p, '<img src="x"').waitFor();
        await p.locator('.message table').waitFor();
        await p.waitForTimeout(200);
        assert.equal(await p.evaluate(() => window.__xss), undefined);
        expectNoCspViolations(p);
    });

    // Someone else in the team opens the channel's URL: a public channel is joined on the way,
    // and a permalink to its first post loads history back to it and marks it.
    const carol = uniqueName('carol');
    const created = await api(token, 'POST', '/users', {username: carol, email: `${carol}@example.com`, password: PASSWORD});
    await api(token, 'POST', `/teams/${team.id}/members`, {team_id: team.id, user_id: created.body.id});
    const q = await page();
    await withScreenshots('join-and-permalink', () => [q], async () => {
        await uiLogin(q, carol);
        await q.goto(`/${TEAM}/channels/${name}`);
        await q.getByRole('heading', {level: 1, name: `History ${name}`}).waitFor();
        await q.getByRole('link', {name: `History ${name}`}).waitFor();
        await q.goto(`/${TEAM}/pl/${firstId}`);
        await q.locator('article.post.highlight', {hasText: 'numbered message 1 end'}).waitFor();
        expectNoCspViolations(q);
    });
});
