// Realistic recentchange events made from the real fixtures, and the totals they must produce.
//
// Each event is a fixture payload (chosen at random, so the field mix, sizes and bot ratio are the
// fixtures') with a new user, server_url and ids. Users: a share of the events brings a new user,
// the rest reuse an earlier one (bots reuse bots). server_url: ~800 wikis with a Zipf-like skew,
// as on the live stream where a few wikis make most changes.
import { fixturePayloads } from "../helpers/fixtures.ts";
import { mulberry32 } from "../helpers/random.ts";

export interface Expected {
  messages: number;
  bots: number;
  non_bots: number;
  distinct_users: number;
  by_server_url: Record<string, number>;
}

interface Dataset {
  payloads: string[];
  /** Per event: index into `users`, into `servers`, and the bot flag, to compute totals without parsing. */
  userOf: Int32Array;
  serverOf: Uint16Array;
  botOf: Uint8Array;
  users: string[];
  servers: string[];
}

interface SyntheticOptions {
  events: number;
  /** Share of events that bring a user not seen before (1 = every event a new user). */
  newUserShare: number;
  seed?: number;
  serverCount?: number;
}

type Json = Record<string, unknown>;

const LANGS = (
  "en de fr es ja ru it zh pt ar fa pl nl uk he id tr cs sv ko vi fi hu ca no sr ro el da th bg ms hr sk lt sl et hi bn "
  + "ur ta te ml kn mr gu pa az kk uz hy ka be eu gl cy ga is lv sq mk bs af sw tl ceb war min ast la eo oc br an nn lb fy "
  + "simple arz azb ckb ku ps sd si ne my km lo mn tt ba cv ce sah yo ig ha zu xh am so ht qu ay gn"
).split(" ");
const PROJECTS = ["wikipedia", "wiktionary", "wikisource", "wikibooks", "wikiquote", "wikinews", "wikivoyage", "wikiversity"];

/** The fixtures' own server URLs first (the busiest, in order of frequency), then language × project wikis. */
function serverUrls(templates: Json[], count: number): string[] {
  const seen = new Map<string, number>();
  for (const t of templates) if (typeof t.server_url === "string") seen.set(t.server_url, (seen.get(t.server_url) ?? 0) + 1);
  const urls = new Set([...seen].sort((a, b) => b[1] - a[1]).map(([url]) => url));
  for (const project of PROJECTS) for (const lang of LANGS) urls.add(`https://${lang}.${project}.org`);
  const list = [...urls].slice(0, count);
  if (list.length < count) throw new Error(`only ${list.length} server URLs available, ${count} asked`);
  return list;
}

/** A Wikimedia-shaped SSE id: the Kafka positions of both data centres. */
function wikimediaId(index: number): string {
  return (
    `[{"topic":"eqiad.mediawiki.recentchange","partition":0,"timestamp":${1746258379000 + index}},`
    + `{"topic":"codfw.mediawiki.recentchange","partition":0,"offset":-1}]`
  );
}

/** Makes payloads from fixture templates; new users get unique names built from the fixtures' names. */
export class EventFactory {
  readonly templates: Json[];
  readonly servers: string[];
  private readonly cdf: Float64Array;
  private readonly humanNames: string[];
  private readonly botNames: string[];
  private readonly taken = new Set<string>();
  private serial = 0;

  constructor(
    readonly random: () => number,
    serverCount = 800,
  ) {
    this.templates = fixturePayloads().map((p) => JSON.parse(p) as Json);
    this.servers = serverUrls(this.templates, serverCount);
    const weights = this.servers.map((_, rank) => 1 / (rank + 1));
    const sum = weights.reduce((a, b) => a + b, 0);
    this.cdf = new Float64Array(weights.length);
    let acc = 0;
    for (const [i, w] of weights.entries()) this.cdf[i] = acc += w / sum;
    const names = (bot: boolean) => [...new Set(this.templates.filter((t) => (t.bot === true) === bot).map((t) => String(t.user)))];
    this.humanNames = names(false);
    this.botNames = names(true);
  }

  template(): Json {
    return this.templates[Math.floor(this.random() * this.templates.length)]!;
  }

  /** A server index, Zipf-distributed over the list. */
  server(): number {
    const r = this.random();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A user name not handed out before: a fixture name with a suffix, or an IP address for some humans. */
  newUser(bot: boolean): string {
    for (;;) {
      const n = this.serial++;
      let name: string;
      if (!bot && this.random() < 0.1) {
        name = `${10 + (n % 200)}.${(n >> 8) & 255}.${(n >> 16) & 255}.${n & 255}`;
      } else {
        const pool = bot ? this.botNames : this.humanNames;
        name = `${pool[Math.floor(this.random() * pool.length)]}_${n.toString(36)}`;
      }
      if (!this.taken.has(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }

  /** The compact wire JSON of one event, as Wikimedia sends it. */
  payload(template: Json, index: number, user: string, serverUrl: string): string {
    const host = serverUrl.slice(serverUrl.indexOf("//") + 2);
    const meta = { ...(template.meta as Json), domain: host, id: this.uuid(), offset: 5_559_405_228 + index };
    return JSON.stringify({ ...template, meta, id: 2_842_663_881 + index, user, server_url: serverUrl, server_name: host });
  }

  private uuid(): string {
    const hex = (digits: number) =>
      Math.floor(this.random() * 16 ** digits)
        .toString(16)
        .padStart(digits, "0");
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(6)}${hex(6)}`;
  }
}

function generate(options: SyntheticOptions): Dataset {
  const factory = new EventFactory(mulberry32(options.seed ?? 42), options.serverCount ?? 800);
  const n = options.events;
  const payloads: string[] = new Array(n);
  const userOf = new Int32Array(n);
  const serverOf = new Uint16Array(n);
  const botOf = new Uint8Array(n);
  const users: string[] = [];
  const pools: Record<"bot" | "human", number[]> = { bot: [], human: [] };
  for (let i = 0; i < n; i++) {
    const template = factory.template();
    const bot = template.bot === true;
    const pool = bot ? pools.bot : pools.human;
    let user: number;
    if (pool.length === 0 || factory.random() < options.newUserShare) {
      user = users.push(factory.newUser(bot)) - 1;
      pool.push(user);
    } else {
      // Earlier users are picked more often: a few accounts make many edits.
      user = pool[Math.floor(pool.length * factory.random() ** 2)]!;
    }
    const server = factory.server();
    userOf[i] = user;
    serverOf[i] = server;
    botOf[i] = bot ? 1 : 0;
    payloads[i] = factory.payload(template, i, users[user]!, factory.servers[server]!);
  }
  return { payloads, userOf, serverOf, botOf, users, servers: factory.servers };
}

/** The totals of the first `count` events, from the generator's own choices (no JSON parsing, no src/ code). */
export function expectedOf(data: Dataset, count = data.payloads.length): Expected {
  const users = new Set<number>();
  const servers = new Map<number, number>();
  let bots = 0;
  for (let i = 0; i < count; i++) {
    users.add(data.userOf[i]!);
    servers.set(data.serverOf[i]!, (servers.get(data.serverOf[i]!) ?? 0) + 1);
    bots += data.botOf[i]!;
  }
  const by_server_url: Record<string, number> = {};
  for (const [server, n] of servers) by_server_url[data.servers[server]!] = n;
  return { messages: count, bots, non_bots: count - bots, distinct_users: users.size, by_server_url };
}

/** One SSE frame per event, with Wikimedia-shaped ids. */
export function frame(payload: string, index: number): string {
  return `event: message\nid: ${wikimediaId(index)}\ndata: ${payload}\n\n`;
}

/** The whole stream, rendered once into ~1 MB chunks. */
export function renderSse(payloads: readonly string[], first = 0): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let text = "";
  for (let i = 0; i < payloads.length; i++) {
    text += frame(payloads[i]!, first + i);
    if (text.length >= 1 << 20) {
      chunks.push(Buffer.from(text));
      text = "";
    }
  }
  if (text !== "") chunks.push(Buffer.from(text));
  return chunks;
}

/** Differences between /stats (or what Cassandra holds) and the expected totals; empty when exact. */
function differences(actual: Expected, expected: Expected): string[] {
  const out: string[] = [];
  for (const key of ["messages", "bots", "non_bots", "distinct_users"] as const) {
    if (actual[key] !== expected[key]) out.push(`${key}: got ${actual[key]}, expected ${expected[key]}`);
  }
  const urls = new Set([...Object.keys(actual.by_server_url), ...Object.keys(expected.by_server_url)]);
  let bad = 0;
  for (const url of urls) {
    if (actual.by_server_url[url] !== expected.by_server_url[url]) {
      if (bad++ < 5) out.push(`by_server_url[${url}]: got ${actual.by_server_url[url]}, expected ${expected.by_server_url[url]}`);
    }
  }
  if (bad > 5) out.push(`... and ${bad - 5} more server_url differences`);
  return out;
}

export function assertExact(what: string, actual: Expected, expected: Expected): void {
  const diff = differences(actual, expected);
  if (diff.length > 0) throw new Error(`${what}: totals are NOT exact:\n  ${diff.join("\n  ")}`);
}

const cache = new Map<string, Dataset>();

/** generate(), memoised for the run: benchmarks that want the same events share them. */
export function dataset(events: number, newUserShare: number): Dataset {
  const key = `${events}/${newUserShare}`;
  let data = cache.get(key);
  if (!data) cache.set(key, (data = generate({ events, newUserShare })));
  return data;
}

export { mulberry32 };
