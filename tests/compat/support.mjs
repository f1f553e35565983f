// Shared helpers for the compatibility tests: the server URL and Client4 instances pointed at it.
//
// `run.sh` starts one fresh server and passes its address in TS_URL. To run a file by hand
// against a server you started yourself: `TS_URL=http://127.0.0.1:8065 node --test FILE`.

import assert from 'node:assert/strict';

import mattermostClient from '@mattermost/client';

// @mattermost/client is CommonJS and exports Client4 through a getter that Node's ESM named-export
// detection does not see, so take the classes from the default export.
export const {Client4, ClientError} = mattermostClient;

export const serverUrl = (() => {
    const url = process.env.TS_URL;
    if (!url) {
        throw new Error('TS_URL is not set: run the tests with tests/compat/run.sh');
    }
    return url.replace(/\/+$/, '');
})();

/** A fresh Client4 pointed at the server under test, optionally with a token. */
export function newClient(token) {
    const client = new Client4();
    client.setUrl(serverUrl);
    if (token) {
        client.setToken(token);
    }
    return client;
}

/** The system admin that accounts.test.mjs creates (run.sh runs it first). */
export const ADMIN = {username: 'compat-admin', email: 'compat-admin@example.com', password: 'compat-Passw0rd!'};

/** A client logged in as ADMIN; creates that admin when the server has no accounts yet. */
export async function adminClient() {
    const client = newClient();
    try {
        await client.login(ADMIN.username, ADMIN.password);
    } catch (err) {
        if (!(err instanceof ClientError) || err.status_code !== 401) {
            throw err;
        }
        // No accounts yet: the first user created becomes the system admin.
        await client.createUser(ADMIN);
        await client.login(ADMIN.username, ADMIN.password);
    }
    return client;
}

/** Unique enough names so that tests sharing one server never collide. */
export function uniqueName(prefix) {
    return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/**
 * Awaits `promise`, which must reject with a Client4 `ClientError` carrying the given HTTP status
 * (and server error id, when given). Returns the error for further assertions.
 */
export async function expectClientError(promise, status, serverErrorId) {
    let error;
    try {
        const value = await promise;
        assert.fail(`expected HTTP ${status}, the call succeeded with ${JSON.stringify(value)}`);
    } catch (caught) {
        error = caught;
    }
    if (error instanceof assert.AssertionError) {
        throw error;
    }
    assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
    assert.equal(error.status_code, status, `status_code of ${error.url}: ${error.message}`);
    if (serverErrorId !== undefined) {
        assert.equal(error.server_error_id, serverErrorId, `server_error_id of ${error.url}`);
    }
    return error;
}
