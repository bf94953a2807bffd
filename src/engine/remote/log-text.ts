/**
 * Makes text that came from a client safe to put in the agent's log. A client chooses its file name,
 * request type, device labels and (through the WebSocket handshake) its Origin header; written as they
 * are, a newline in any of them forges a whole log line ("…\n[time] connection from 10.0.0.9") and a
 * megabyte of them floods the log. `logField` escapes every control character (and the Unicode line and
 * paragraph separators) the way JSON does and cuts the result to a bounded length.
 */

/** Longest client-supplied field written to the log, after escaping. */
export const MAX_LOG_FIELD_CHARS = 120;

// C0 and C1 controls, DEL, and U+2028/U+2029 (line breaks to many log viewers).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/** `evil\nname` → `evil\\nname`; longer than `max` characters → cut, with the original length noted. */
export function logField(value: unknown, max = MAX_LOG_FIELD_CHARS): string {
  const text = typeof value === 'string' ? value : String(value);
  const head = text.length > max ? text.slice(0, max) : text;
  const escaped = head.replace(/\\/g, '\\\\').replace(UNSAFE, escapeChar);
  return text.length > max ? `${escaped}… (${text.length} characters)` : escaped;
}
