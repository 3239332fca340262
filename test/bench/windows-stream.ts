// A live-like recentchange stream for the window index, generated from a seed: 50 events/s, about
// 150,000 distinct users and 1.5 million distinct pages a day (meta.uri of 60–90 characters), 900 wikis
// with a Zipf skew, a fifth of the events from a few hundred bots, a few events late by up to a minute.
// Pools scale with the hours asked for, so a short run has a day's shape at a smaller size.
import type { WindowEvent } from "../../src/windows/types.ts";
import { mulberry32 } from "../helpers/random.ts";

export const EVENTS_PER_SECOND = 50;
const WIKIS = 900;
const HUMANS_PER_DAY = 150_000;
const BOTS = 300;
/** Pages edited again and again (drawn with a skew), and the share of events that create a page never seen before. */
const POOL_PAGES_PER_DAY = 400_000;
const FRESH_PAGE_SHARE = 0.27;
const WORDS = ["History", "List_of", "Battle", "River", "Station", "Church", "Album", "Election", "Film", "Football_club", "Village"];
const PLACES = ["Bavaria", "Ontario", "the_Netherlands", "Kerala", "Patagonia", "Anatolia", "Lapland", "Tasmania", "Castile"];

export const SERVER_URLS = Array.from({ length: WIKIS }, (_, i) =>
  i === 0 ? "https://en.wikipedia.org" : i === 1 ? "https://commons.wikimedia.org" : `https://w${i}.wikipedia.org`,
);

/** Inverse CDF of Zipf(s = 1) over the wikis, for a uniform draw. */
const WIKI_CDF = (() => {
  const weights = SERVER_URLS.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
})();

function wikiOf(u: number): number {
  let lo = 0;
  let hi = WIKI_CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (WIKI_CDF[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A uniform value in [0, 1) from an integer: a page keeps its wiki wherever it is drawn. */
function hashUnit(n: number): number {
  let h = Math.imul(n ^ (n >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function pageUri(n: number): { uri: string; wiki: number } {
  const wiki = wikiOf(hashUnit(n));
  const host = SERVER_URLS[wiki]!;
  const title = `${WORDS[n % WORDS.length]}_${PLACES[(n >>> 4) % PLACES.length]}_${n.toString(36)}`;
  return { uri: `${host}/wiki/${title}`, wiki };
}

/** Calls `each` with every event of `hours` hours from `startMs`, in batches (the array is reused). */
export function liveStream(hours: number, startMs: number, seed: number, each: (batch: WindowEvent[], size: number) => void): number {
  const random = mulberry32(seed);
  const total = Math.round(hours * 3600 * EVENTS_PER_SECOND);
  const scale = hours / 24;
  const humans = Math.max(100, Math.round(HUMANS_PER_DAY * scale));
  const pool = Math.max(100, Math.round(POOL_PAGES_PER_DAY * scale));
  let fresh = pool;
  const batch: WindowEvent[] = Array.from({ length: 10_000 }, () => ({ timeMs: 0, user: "", bot: false, serverUrl: "", page: "" }));
  let size = 0;
  for (let i = 0; i < total; i++) {
    const e = batch[size++]!;
    const late = random() < 0.01 ? Math.floor(random() * 60_000) : 0;
    e.timeMs = startMs + Math.floor((i * 1000) / EVENTS_PER_SECOND) - late;
    e.bot = random() < 0.2;
    const r = random();
    e.user =
      r < 0.001
        ? undefined
        : e.bot
          ? `${PLACES[Math.floor(r * 1000) % PLACES.length]}Bot${Math.floor(BOTS * random() ** 2)}`
          : `Editor ${Math.floor(humans * random() ** 3)}`;
    const page = pageUri(random() < FRESH_PAGE_SHARE ? fresh++ : Math.floor(pool * random() ** 2));
    e.page = random() < 0.005 ? undefined : page.uri;
    e.serverUrl = random() < 0.001 ? undefined : SERVER_URLS[page.wiki];
    if (size === batch.length) {
      each(batch, size);
      size = 0;
    }
  }
  if (size > 0) each(batch, size);
  return total;
}
