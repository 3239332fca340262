// The limits on a counted event's fields: a field over its limit cannot be what it claims, so it is
// left out of the counts while the event itself still counts.

/** MediaWiki user names are at most 255 bytes; a longer `user` is not a user name and is not kept. */
export const MAX_USER_BYTES = 255;
/** A longer `server_url` is not a wiki's address; the event counts as having none. */
export const MAX_SERVER_URL_BYTES = 2048;

/** Whether `user` can be a MediaWiki user name, so counts towards distinct_users. */
export function userFits(user: string): boolean {
  return fitsUtf8(user, MAX_USER_BYTES);
}

/** Whether `url` can be a wiki's address, so counts in by_server_url. */
export function serverUrlFits(url: string): boolean {
  return fitsUtf8(url, MAX_SERVER_URL_BYTES);
}

/** Whether `text` takes at most `max` bytes in UTF-8, without encoding it in the common cases. */
function fitsUtf8(text: string, max: number): boolean {
  // A UTF-16 unit takes 1 to 3 UTF-8 bytes (a surrogate pair, two units, takes 4).
  if (text.length * 3 <= max) return true;
  if (text.length > max) return false;
  return Buffer.byteLength(text, "utf8") <= max;
}
