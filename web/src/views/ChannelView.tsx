// The open channel: its history (scroll back for older posts, date separators, consecutive
// posts grouped), and the message box.
import type {Post} from '@mattermost/types/posts';
import {useEffect, useLayoutEffect, useMemo, useRef, useState} from 'preact/hooks';

import {errorMessage} from '../api';
import {renderMarkdown} from '../markdown';
import {
    announcement, channelLabel, currentChannel, displayName, loadOlder, postsByChannel, sendPost, users,
} from '../state';

const GROUP_WINDOW_MS = 5 * 60 * 1000;

export function ChannelView({highlight}: {highlight: string}) {
    const channel = currentChannel.value;
    if (!channel) {
        return <p class="loading">Loading…</p>;
    }
    const title = channelLabel(channel);
    return (
        <>
            <div class="channel-header">
                <h1>{channel.type === 'D' ? `@${title}` : title}</h1>
                {channel.purpose && <p class="purpose">{channel.purpose}</p>}
            </div>
            <History channelId={channel.id} highlight={highlight} />
            <Composer channelId={channel.id} label={channel.type === 'D' ? `Message @${title}` : `Message ${title}`} />
            <div class="sr-only" aria-live="polite">{announcement.value}</div>
        </>
    );
}

function dayOf(ms: number): string {
    return new Date(ms).toDateString();
}

function dayLabel(ms: number): string {
    const day = dayOf(ms);
    const today = new Date();
    if (day === today.toDateString()) {
        return 'Today';
    }
    const yesterday = new Date(today);
    yesterday.setDate(today.getDate() - 1);
    if (day === yesterday.toDateString()) {
        return 'Yesterday';
    }
    return new Date(ms).toLocaleDateString(undefined, {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric'});
}

function timeOf(ms: number): string {
    return new Date(ms).toLocaleTimeString(undefined, {hour: 'numeric', minute: '2-digit'});
}

function History({channelId, highlight}: {channelId: string; highlight: string}) {
    const loaded = postsByChannel.value[channelId];
    const scroller = useRef<HTMLDivElement>(null);
    const pinnedToBottom = useRef(true);
    const anchor = useRef<number | null>(null);
    // A permalink's post is scrolled to once, when it first shows.
    const shownHighlight = useRef('');
    const [loadingOlder, setLoadingOlder] = useState(false);
    const posts = loaded?.posts ?? [];

    // Keep the view at the newest post unless the reader scrolled up; keep the reader's place
    // when older posts are added above.
    useLayoutEffect(() => {
        const el = scroller.current;
        if (!el) {
            return;
        }
        if (anchor.current !== null) {
            el.scrollTop = el.scrollHeight - anchor.current;
            anchor.current = null;
            return;
        }
        const target = highlight && highlight !== shownHighlight.current ?
            el.querySelector(`[data-post-id="${CSS.escape(highlight)}"]`) : null;
        if (target) {
            shownHighlight.current = highlight;
            pinnedToBottom.current = false;
            target.scrollIntoView({block: 'center'});
        } else if (pinnedToBottom.current) {
            el.scrollTop = el.scrollHeight;
        }
    }, [posts, highlight]);

    useEffect(() => {
        pinnedToBottom.current = true;
    }, [channelId]);

    async function older() {
        const el = scroller.current;
        if (loadingOlder || !el) {
            return;
        }
        setLoadingOlder(true);
        anchor.current = el.scrollHeight - el.scrollTop;
        try {
            await loadOlder(channelId);
        } finally {
            setLoadingOlder(false);
        }
    }

    function onScroll() {
        const el = scroller.current!;
        pinnedToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        if (el.scrollTop < 200 && loaded && !loaded.complete) {
            void older();
        }
    }

    const items = useMemo(() => {
        const out: ({kind: 'day'; label: string; key: string} | {kind: 'post'; post: Post; grouped: boolean})[] = [];
        let previous: Post | undefined;
        for (const post of posts) {
            if (!previous || dayOf(previous.create_at) !== dayOf(post.create_at)) {
                out.push({kind: 'day', label: dayLabel(post.create_at), key: `day-${post.create_at}`});
                previous = undefined;
            }
            const grouped = Boolean(previous) && previous!.user_id === post.user_id &&
                post.create_at - previous!.create_at < GROUP_WINDOW_MS && !post.type && !previous!.type &&
                post.root_id === previous!.root_id;
            out.push({kind: 'post', post, grouped});
            previous = post;
        }
        return out;
    }, [posts]);

    return (
        <section class="history" aria-labelledby="history-heading" ref={scroller} onScroll={onScroll} tabIndex={0}>
            <h2 id="history-heading" class="sr-only">Messages</h2>
            {loaded && !loaded.complete && (
                <button type="button" class="older" onClick={older} disabled={loadingOlder}>
                    {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
                </button>
            )}
            {loaded?.complete && <p class="channel-start">This is the start of the channel.</p>}
            {!loaded && <p class="loading">Loading messages…</p>}
            {items.map((item) => item.kind === 'day' ?
                <h3 key={item.key} class="day"><span>{item.label}</span></h3> :
                <PostItem key={item.post.id} post={item.post} grouped={item.grouped} highlighted={item.post.id === highlight} />)}
        </section>
    );
}

function PostItem({post, grouped, highlighted}: {post: Post; grouped: boolean; highlighted: boolean}) {
    const author = displayName(users.value[post.user_id]);
    const html = useMemo(() => renderMarkdown(post.message), [post.message]);
    const time = timeOf(post.create_at);
    const system = Boolean(post.type) && post.type.startsWith('system_');
    return (
        <article class={`post ${grouped ? 'grouped' : ''} ${system ? 'system' : ''} ${highlighted ? 'highlight' : ''}`}
            data-post-id={post.id} aria-label={`${author}, ${time}`}>
            {!grouped && (
                <header class="post-header">
                    <span class="author">{author}</span>
                    <time dateTime={new Date(post.create_at).toISOString()}>{time}</time>
                </header>
            )}
            <div class="message" dangerouslySetInnerHTML={{__html: html}} />
            {post.edit_at > 0 && <span class="edited">(edited)</span>}
        </article>
    );
}

function Composer({channelId, label}: {channelId: string; label: string}) {
    const [text, setText] = useState('');
    const [error, setError] = useState('');
    const [sending, setSending] = useState(false);

    useEffect(() => {
        setText('');
        setError('');
    }, [channelId]);

    async function send() {
        const message = text.trim();
        if (!message || sending) {
            return;
        }
        setSending(true);
        setError('');
        try {
            await sendPost(channelId, message);
            setText('');
        } catch (err) {
            setError(errorMessage(err));
        } finally {
            setSending(false);
        }
    }

    function onKeyDown(e: KeyboardEvent) {
        // Enter sends, Shift+Enter is a new line; never while an input method is composing.
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
        }
    }

    return (
        <form class="composer" onSubmit={(e) => { e.preventDefault(); void send(); }}>
            <label for="composer" class="sr-only">{label}</label>
            <textarea id="composer" rows={2} value={text} placeholder={label}
                aria-describedby="composer-hint"
                onInput={(e) => setText(e.currentTarget.value)} onKeyDown={onKeyDown} />
            <p id="composer-hint" class="sr-only">Enter sends, Shift+Enter starts a new line.</p>
            <button type="submit" class="primary" disabled={sending || !text.trim()}>Send</button>
            {error && <p class="form-error" role="alert">{error}</p>}
        </form>
    );
}
