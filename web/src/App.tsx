// Start-up and routing: who is logged in decides which screen a route shows.
import {useEffect, useState} from 'preact/hooks';

import {errorMessage} from './api';
import {channelPath, navigate, route} from './router';
import {config, loadConfig, loadMe, loadTeams, me, teams} from './state';
import {Login} from './views/Login';
import {Main} from './views/Main';
import {SelectTeam} from './views/SelectTeam';
import {Signup} from './views/Signup';

export function App() {
    const [ready, setReady] = useState(false);
    const [failure, setFailure] = useState('');

    useEffect(() => {
        (async () => {
            await loadConfig();
            if (await loadMe()) {
                await loadTeams();
            }
            setReady(true);
        })().catch((err) => setFailure(errorMessage(err)));
    }, []);

    if (failure) {
        return (
            <main class="auth" id="main">
                <div class="auth-card">
                    <h1>The server cannot be reached</h1>
                    <p>{failure}</p>
                    <button type="button" class="primary" onClick={() => window.location.reload()}>Try again</button>
                </div>
            </main>
        );
    }
    if (!ready) {
        return <main class="auth" id="main" aria-busy="true"><p class="loading">Loading…</p></main>;
    }
    return <Screen />;
}

function Screen() {
    const current = route.value;
    const signedIn = Boolean(me.value);
    const redirect = target(current.name, signedIn);
    useEffect(() => {
        if (redirect) {
            navigate(redirect, true);
        }
    }, [redirect]);
    useEffect(() => {
        document.title = `${titleOf(current.name)} - ${config.value.SiteName || 'Townsquare'}`;
    }, [current.name]);

    if (redirect) {
        return null;
    }
    switch (current.name) {
    case 'login':
        return <Login />;
    case 'signup':
        return <Signup inviteId={current.inviteId} />;
    case 'select_team':
        return <SelectTeam />;
    case 'channel':
    case 'messages':
    case 'permalink':
    case 'threads':
        return <Main route={current} />;
    default:
        return (
            <main class="auth" id="main">
                <div class="auth-card">
                    <h1>Page not found</h1>
                    <p><a href="/">Go to Townsquare</a></p>
                </div>
            </main>
        );
    }
}

/** Where a route sends a visitor instead, if anywhere. */
function target(name: string, signedIn: boolean): string | null {
    const fresh = config.value.NoAccounts === 'true';
    if (!signedIn) {
        if (fresh && name !== 'signup') {
            return '/signup_user_complete';
        }
        if (name === 'login' || name === 'signup') {
            return null;
        }
        const here = window.location.pathname + window.location.search;
        return here === '/' ? '/login' : `/login?redirect_to=${encodeURIComponent(here)}`;
    }
    if (name === 'login' || name === 'signup' || name === 'root') {
        const first = teams.value[0];
        return first ? channelPath(first.name, 'town-square') : '/select_team';
    }
    return null;
}

function titleOf(name: string): string {
    switch (name) {
    case 'login':
        return 'Log in';
    case 'signup':
        return 'Sign up';
    case 'select_team':
        return 'Teams';
    default:
        return 'Chat';
    }
}
