// The one Client4 and WebSocketClient of the app (the official Mattermost client library).
// Sessions are the server's cookies; Client4 adds Mattermost's CSRF header to every write.
import {Client4, ClientError, WebSocketClient} from '@mattermost/client';

export const client = new Client4();
client.setUrl(window.location.origin);
client.setIncludeCookies(true);

export const socket = new WebSocketClient({
    // Retry quickly at first: a restarting server is usually back within seconds.
    minWebSocketRetryTime: 1000,
    maxWebSocketRetryTime: 15000,
});

export function socketUrl(): string {
    return client.getWebSocketUrl().replace(/^http/, 'ws');
}

/** A person-readable message for a failed call. */
export function errorMessage(err: unknown): string {
    if (err instanceof ClientError) {
        return err.message || 'The server refused the request.';
    }
    if (err instanceof Error) {
        return err.message;
    }
    return 'Something went wrong.';
}

export function statusOf(err: unknown): number | undefined {
    return err instanceof ClientError ? err.status_code : undefined;
}
