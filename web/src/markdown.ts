// Markdown as Mattermost renders it (GFM, single newlines are line breaks), always through
// DOMPurify: no script, no event handler, no style; external links open safely.
import DOMPurify from 'dompurify';
import {Marked} from 'marked';

function escapeHtml(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const marked = new Marked({
    gfm: true,
    breaks: true,
    async: false,
    // Mattermost shows HTML in a message as the text it is.
    renderer: {
        html({text}) {
            return escapeHtml(text);
        },
    },
});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
        const href = node.getAttribute('href') ?? '';
        let external = true;
        try {
            external = new URL(href, window.location.href).origin !== window.location.origin;
        } catch {
            // An unparsable link stays a plain one.
        }
        if (external) {
            node.setAttribute('target', '_blank');
            node.setAttribute('rel', 'noopener noreferrer');
        }
    }
});

const PURIFY = {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
    FORBID_ATTR: ['style', 'class', 'id'],
};

export function renderMarkdown(text: string): string {
    const html = marked.parse(text) as string;
    return DOMPurify.sanitize(html, PURIFY);
}
