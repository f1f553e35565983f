// The client's routes: Mattermost's URL scheme, so links from other clients and emails work.
import {signal} from '@preact/signals';

export type Route =
    | {name: 'root'}
    | {name: 'login'}
    | {name: 'signup'; inviteId: string}
    | {name: 'select_team'}
    | {name: 'channel'; team: string; channel: string}
    | {name: 'permalink'; team: string; postId: string}
    | {name: 'messages'; team: string; username: string}
    | {name: 'threads'; team: string}
    | {name: 'not_found'};

export function parse(path: string, search: string): Route {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(search);
    if (parts.length === 0) {
        return {name: 'root'};
    }
    if (parts.length === 1) {
        switch (parts[0]) {
        case 'login':
            return {name: 'login'};
        case 'signup_user_complete':
            return {name: 'signup', inviteId: params.get('id') ?? ''};
        case 'select_team':
        case 'create_team':
            return {name: 'select_team'};
        }
        return {name: 'channel', team: parts[0], channel: 'town-square'};
    }
    const [team, kind, rest] = parts;
    if (kind === 'channels' && rest) {
        return {name: 'channel', team, channel: rest};
    }
    if (kind === 'pl' && rest) {
        return {name: 'permalink', team, postId: rest};
    }
    if (kind === 'messages' && rest?.startsWith('@')) {
        return {name: 'messages', team, username: rest.slice(1)};
    }
    if (kind === 'threads') {
        return {name: 'threads', team};
    }
    return {name: 'not_found'};
}

export const route = signal<Route>(parse(window.location.pathname, window.location.search));

export function navigate(path: string, replace = false) {
    if (replace) {
        window.history.replaceState(null, '', path);
    } else if (path !== window.location.pathname + window.location.search) {
        window.history.pushState(null, '', path);
    }
    route.value = parse(window.location.pathname, window.location.search);
}

window.addEventListener('popstate', () => {
    route.value = parse(window.location.pathname, window.location.search);
});

export function channelPath(team: string, channel: string): string {
    return `/${encodeURIComponent(team)}/channels/${encodeURIComponent(channel)}`;
}
