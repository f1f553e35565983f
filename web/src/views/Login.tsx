import {useState} from 'preact/hooks';

import {client, errorMessage} from '../api';
import {Field, FormError} from '../components/Field';
import {navigate} from '../router';
import {config, loadMe, loadTeams} from '../state';

export function Login() {
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const canSignUp = config.value.EnableOpenServer === 'true' && config.value.EnableSignUpWithEmail !== 'false';

    async function submit(e: Event) {
        e.preventDefault();
        setBusy(true);
        setError('');
        // Read first: once signed in, the app may move on before this finishes.
        const next = new URLSearchParams(window.location.search).get('redirect_to');
        try {
            await client.login(loginId.trim(), password);
            await loadMe();
            await loadTeams();
            navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    }

    return (
        <main class="auth" id="main">
            <div class="auth-card">
                <h1>Log in to {config.value.SiteName || 'Townsquare'}</h1>
                <form onSubmit={submit} noValidate>
                    <Field label="Email or username" value={loginId} onInput={setLoginId} autoComplete="username" required autoFocus />
                    <Field label="Password" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
                    {error && <FormError message={error} />}
                    <button type="submit" class="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
                </form>
                {canSignUp && (
                    <p>
                        No account yet? <a href="/signup_user_complete" onClick={(e) => { e.preventDefault(); navigate('/signup_user_complete'); }}>Create one</a>
                    </p>
                )}
            </div>
        </main>
    );
}
