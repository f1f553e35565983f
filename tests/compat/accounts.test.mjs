// Accounts with the official client: first user, login, client config and license, personal
// access tokens, logout, and the error shape Client4 builds from the server's AppError body.
//
// Needs a server with no accounts yet (run.sh starts one) and EnableUserAccessTokens=true.

import assert from 'node:assert/strict';
import {describe, it} from 'node:test';

import {ClientError, expectClientError, newClient, serverUrl} from './support.mjs';

const ID = /^[a-z0-9]{26}$/;
const INVALID_CREDENTIALS = 'api.user.login.invalid_credentials_email_username';
const SESSION_EXPIRED = 'api.context.session_expired.app_error';

const admin = {
    username: 'compat-admin',
    email: 'compat-admin@example.com',
    password: 'compat-Passw0rd!',
    first_name: 'Ada',
    last_name: 'Lovelace',
};

describe('accounts through Client4', () => {
    const client = newClient();
    let adminUser;
    let sessionToken;

    it('reports NoAccounts "true" before the first user exists', async () => {
        const config = await client.getClientConfig();
        assert.equal(
            config.NoAccounts,
            'true',
            `accounts.test.mjs needs a server without accounts; ${serverUrl} already has some`,
        );
    });

    it('makes the first user created a system admin', async () => {
        adminUser = await client.createUser(admin);
        assert.match(adminUser.id, ID);
        assert.equal(adminUser.username, admin.username);
        assert.equal(adminUser.email, admin.email);
        assert.equal(adminUser.first_name, admin.first_name);
        assert.equal(adminUser.roles, 'system_admin system_user');
        assert.equal(adminUser.delete_at, 0);
        assert.ok(adminUser.create_at > 0, 'create_at is set');
        assert.equal(adminUser.password, undefined, 'the password hash is never returned');
        // Creating a user does not log the client in.
        assert.equal(client.getToken(), '');
    });

    it('refuses anonymous signup once an account exists (open server off)', async () => {
        const err = await expectClientError(
            client.createUser({username: 'intruder', email: 'intruder@example.com', password: 'intruder-pass-1'}),
            403,
            'api.user.create_user.no_open_server',
        );
        assert.ok(err.message.length > 0, 'the server message reaches ClientError.message');
    });

    it('logs in, captures the Token header and the X-Version-Id', async () => {
        const profile = await client.login(admin.username, admin.password);
        assert.equal(profile.id, adminUser.id);
        assert.equal(profile.roles, 'system_admin system_user');
        assert.equal(profile.password, undefined);
        sessionToken = client.getToken();
        assert.match(sessionToken, ID, 'Client4 stored the token from the Token response header');
        assert.match(
            client.getServerVersion(),
            /^11\.\d+\.\d+\..+\.(true|false)$/,
            'Client4 stored X-Version-Id as serverVersion',
        );
    });

    it('logs in by email as well, case-insensitively', async () => {
        const other = newClient();
        const profile = await other.login(admin.email.toUpperCase(), admin.password);
        assert.equal(profile.id, adminUser.id);
        assert.match(other.getToken(), ID);
        assert.notEqual(other.getToken(), sessionToken, 'each login is a new session');
        await other.logout();
    });

    it('returns the logged-in user from getMe', async () => {
        const me = await client.getMe();
        assert.equal(me.id, adminUser.id);
        assert.equal(me.username, admin.username);
        assert.equal(me.email, admin.email, 'own email is visible');
        assert.equal(me.roles, 'system_admin system_user');
        assert.ok(me.last_login > 0 || me.last_activity_at > 0, 'login was recorded');
        assert.equal(typeof me.notify_props, 'object');
        assert.equal(me.locale, 'en');
    });

    it('serves the old-format client config and license', async () => {
        const config = await client.getClientConfig();
        assert.equal(config.NoAccounts, 'false');
        assert.equal(config.EnableUserAccessTokens, 'true');
        assert.equal(config.EnableOpenServer, 'false');
        assert.ok(config.Version, 'config carries the server version');
        for (const [key, value] of Object.entries(config)) {
            assert.equal(typeof value, 'string', `format=old values are strings (${key})`);
        }
        const license = await client.getClientLicenseOld();
        assert.equal(license.IsLicensed, 'false');
    });

    it('authenticates with a personal access token until it is revoked', async () => {
        const created = await client.createUserAccessToken(adminUser.id, 'compat test token');
        assert.match(created.id, ID);
        assert.match(created.token, ID);
        assert.equal(created.user_id, adminUser.id);
        assert.equal(created.description, 'compat test token');
        assert.equal(created.is_active, true);

        const fetched = await client.getUserAccessToken(created.id);
        assert.equal(fetched.id, created.id);
        assert.ok(!fetched.token, 'the secret is only shown at creation');

        const bot = newClient(created.token);
        const me = await bot.getMe();
        assert.equal(me.id, adminUser.id);
        assert.equal(me.roles, 'system_admin system_user');

        const revoked = await client.revokeUserAccessToken(created.id);
        assert.deepEqual(revoked, {status: 'OK'});
        await expectClientError(bot.getMe(), 401, SESSION_EXPIRED);
        // The session token used to revoke it is unaffected.
        assert.equal((await client.getMe()).id, adminUser.id);
    });

    it('surfaces the server error body for a bad login', async () => {
        const anonymous = newClient();
        const wrongPassword = await expectClientError(
            anonymous.login(admin.username, 'not-the-password'),
            401,
            INVALID_CREDENTIALS,
        );
        assert.ok(wrongPassword instanceof ClientError);
        assert.equal(wrongPassword.message, 'Enter a valid email or username and/or password.');
        assert.equal(typeof wrongPassword.detailed_error, 'string');
        assert.match(wrongPassword.url, /\/api\/v4\/users\/login$/);
        assert.equal(anonymous.getToken(), '', 'no token after a failed login');

        // An unknown account looks exactly like a wrong password.
        const unknown = await expectClientError(
            anonymous.login('nobody-here', 'not-the-password'),
            401,
            INVALID_CREDENTIALS,
        );
        assert.equal(unknown.message, wrongPassword.message);

        await expectClientError(
            anonymous.login(admin.username, ''),
            400,
            'api.user.login.blank_pwd.app_error',
        );
        await expectClientError(anonymous.getMe(), 401, SESSION_EXPIRED);
    });

    it('throttles per account over username and email; resetFailedAttempts clears it', async () => {
        const locked = {username: 'compat-locked', email: 'compat-locked@example.com', password: 'locked-Passw0rd!'};
        const user = await client.createUser(locked);
        const anonymous = newClient();
        // MaximumLoginAttempts defaults to 10: five wrong passwords by each login id.
        for (let i = 0; i < 5; i++) {
            await expectClientError(anonymous.login(locked.username, 'wrong'), 401, INVALID_CREDENTIALS);
            await expectClientError(anonymous.login(locked.email, 'wrong'), 401, INVALID_CREDENTIALS);
        }
        await expectClientError(anonymous.login(locked.email, locked.password), 401, INVALID_CREDENTIALS);

        const self = await expectClientError(anonymous.resetFailedAttempts(user.id), 401, SESSION_EXPIRED);
        assert.ok(self instanceof ClientError);
        assert.deepEqual(await client.resetFailedAttempts(user.id), {status: 'OK'});
        const profile = await anonymous.login(locked.email, locked.password);
        assert.equal(profile.id, user.id);
        await anonymous.logout();
    });

    it('logs out: the client drops its token and the session is revoked', async () => {
        const response = await client.logout();
        // Client4 has already read the body ({"status":"OK"}); it hands back the response.
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'application/json');
        assert.equal(client.getToken(), '', 'Client4 clears its token after a successful logout');
        await expectClientError(client.getMe(), 401, SESSION_EXPIRED);

        // Presenting the old token again must not work either.
        const stale = newClient(sessionToken);
        await expectClientError(stale.getMe(), 401, SESSION_EXPIRED);
        await expectClientError(
            stale.createUserAccessToken(adminUser.id, 'after logout'),
            401,
            SESSION_EXPIRED,
        );
    });
});
