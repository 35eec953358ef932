/**
 * The inspector pages' HTML basics: escaping text for HTML/SVG, JSON for an inline `<script>`,
 * and the document head every page starts with (no referrer, a nonce on the inline style for
 * the page's Content-Security-Policy).
 */

/** `&`, `<`, `>`, `"` and `'` as numeric character references: safe in HTML/SVG text and attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `value` as JSON with `<` escaped, so it can sit inside a `<script>` element. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * `<!doctype html>` up to and including `</head>`: UTF-8, `no-referrer`, the escaped `title`, and
 * `style` (CSS, not escaped: our own constant) in a `<style>` carrying the CSP `nonce`.
 */
export function pageHead(page: { title: string; nonce: string; style: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<style nonce="${escapeHtml(page.nonce)}">${page.style}</style>
</head>`;
}
