// Real-time delivery with the official client's WebSocketClient (@mattermost/client), using the
// `ws` package as its WebSocket implementation, as a Node bot would.
//
// WebSocketClient pings every `clientPingInterval` (30 s by default) and reconnects if a ping
// got no reply; it also reconnects on any gap in event `seq`. The ping-cycle test runs the
// client's own logic with a 1 s interval, so several cycles fit in a few seconds; set
// TS_COMPAT_WS_LONG=1 to also run it with the real 30 s interval (takes about 65 s).

import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';

import mattermostClient from '@mattermost/client';
import WebSocket from 'ws';

import {adminClient, newClient, serverUrl, uniqueName} from './support.mjs';

const {WebSocketClient} = mattermostClient;

// WebSocketClient names these browser globals on its reconnect paths; Node 20 has neither.
globalThis.WebSocket ??= WebSocket;
globalThis.CloseEvent ??= class CloseEvent extends Event {
    constructor(type, init = {}) {
        super(type);
        this.code = init.code;
        this.wasClean = init.wasClean;
    }
};

const PASSWORD = 'rt-Passw0rd!';
const websocketUrl = `${serverUrl.replace(/^http/, 'ws')}/api/v4/websocket`;

/** A WebSocketClient that records what happens to it. */
function recordingSocket(config = {}) {
    const socket = new WebSocketClient({
        newWebSocketFn: (url) => new WebSocket(url),
        // Fail fast instead of retrying for minutes if something goes wrong.
        minWebSocketRetryTime: 200,
        reconnectJitterRange: 10,
        ...config,
    });
    const seen = {events: [], closes: 0, reconnects: 0, missed: 0, waiters: []};
    socket.addMessageListener((msg) => {
        seen.events.push(msg);
        seen.waiters = seen.waiters.filter((w) => !w(msg));
    });
    socket.addCloseListener(() => {
        seen.closes += 1;
    });
    socket.addReconnectListener(() => {
        seen.reconnects += 1;
    });
    socket.addMissedMessageListener(() => {
        seen.missed += 1;
    });
    /** Resolves with the first event (already seen or future) matching `test`. */
    seen.next = (test, what, timeoutMs = 5000) => {
        const found = seen.events.find(test);
        if (found) {
            return Promise.resolve(found);
        }
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
            seen.waiters.push((msg) => {
                if (!test(msg)) {
                    return false;
                }
                clearTimeout(timer);
                resolve(msg);
                return true;
            });
        });
    };
    return {socket, seen};
}

function ping(socket) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no pong within 5 s')), 5000);
        socket.ping((reply) => {
            clearTimeout(timer);
            resolve(reply);
        });
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WebSocketClient', () => {
    let admin;
    let bob;
    let bobUser;
    let town;
    const sockets = [];

    before(async () => {
        admin = await adminClient();
        const username = uniqueName('rtbob');
        bobUser = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        bob = newClient();
        await bob.login(username, PASSWORD);
        const team = await admin.createTeam({name: uniqueName('rt'), display_name: 'Realtime', type: 'O'});
        await admin.addToTeam(team.id, bobUser.id);
        town = await admin.getChannelByName(team.id, 'town-square');
    });

    after(() => {
        for (const socket of sockets) {
            socket.close();
        }
    });

    it('connects with the token challenge, gets hello at seq 0 and a posted event for a REST post', async () => {
        const {socket, seen} = recordingSocket();
        sockets.push(socket);
        socket.initialize(websocketUrl, bob.getToken());

        const hello = await seen.next((m) => m.event === 'hello', 'hello');
        assert.equal(hello.seq, 0);
        assert.match(hello.data.connection_id, /^[a-z0-9]{26}$/);
        assert.match(hello.data.server_version, /^11\.6\.0\./);
        assert.equal(hello.broadcast.user_id, bobUser.id);

        const pong = await ping(socket);
        assert.equal(pong.status, 'OK');
        assert.equal(pong.data.text, 'pong');

        const created = await admin.createPost({channel_id: town.id, message: `hi @${bobUser.username}`});
        const posted = await seen.next((m) => m.event === 'posted', 'posted');
        const post = JSON.parse(posted.data.post);
        assert.equal(post.id, created.id);
        assert.equal(post.message, created.message);
        assert.equal(post.root_id, '');
        assert.equal(posted.data.channel_type, 'O');
        assert.equal(posted.data.channel_name, 'town-square');
        assert.equal(posted.data.sender_name, '@compat-admin');
        assert.deepEqual(JSON.parse(posted.data.mentions), [bobUser.id]);
        // Strictly consecutive seq, or the client would have closed and reconnected.
        assert.deepEqual(seen.events.map((m) => m.seq), seen.events.map((_, i) => i));
        assert.equal(seen.closes, 0);
        assert.equal(seen.missed, 0);
    });

    it('stays connected across its ping cycle (1 s interval, five cycles)', async () => {
        const {socket, seen} = recordingSocket({clientPingInterval: 1000});
        sockets.push(socket);
        socket.initialize(websocketUrl, bob.getToken());
        await seen.next((m) => m.event === 'hello', 'hello');
        await sleep(5500);
        assert.equal(seen.closes, 0, 'no ping went unanswered');
        assert.equal(seen.reconnects, 0);
        await admin.createPost({channel_id: town.id, message: 'still there?'});
        const posted = await seen.next(
            (m) => m.event === 'posted' && JSON.parse(m.data.post).message === 'still there?',
            'posted after the ping cycles',
        );
        assert.ok(posted.seq > 0);
    });

    it('stays connected across the real 30 s ping cycle', {skip: process.env.TS_COMPAT_WS_LONG !== '1'}, async () => {
        const {socket, seen} = recordingSocket();
        sockets.push(socket);
        socket.initialize(websocketUrl, bob.getToken());
        await seen.next((m) => m.event === 'hello', 'hello');
        await sleep(65_000);
        assert.equal(seen.closes, 0);
        assert.equal(seen.reconnects, 0);
    });
});
