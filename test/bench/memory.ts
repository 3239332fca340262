// Memory per distinct user on the in-memory store: RSS of the child before the stream and after it
// has counted M events from M different users (generated on the fly, so the bench holds none of them).
import { atMost, fig, round, rssBytes, until, withTimeout, MB, type Context, type Figure } from "./common.ts";
import { spawnService } from "./child.ts";
import { startBlaster, type Feed } from "./sse-blaster.ts";
import { assertExact, EventFactory, frame, mulberry32, type Expected } from "./synthetic.ts";

const BENCH = "memory";
const BATCH = 2_000;

/** M events, each from a new user; fills `expected` and `nameChars` as it goes. */
function distinctUsersFeed(m: number, expected: Expected, nameChars: { total: number }): Feed {
  const factory = new EventFactory(mulberry32(7));
  return async (write, stopped) => {
    for (let first = 0; first < m && !stopped(); first += BATCH) {
      let text = "";
      for (let i = first; i < Math.min(m, first + BATCH); i++) {
        const template = factory.template();
        const bot = template.bot === true;
        const user = factory.newUser(bot);
        const url = factory.servers[factory.server()]!;
        nameChars.total += user.length;
        expected.messages++;
        expected.distinct_users++;
        if (bot) expected.bots++;
        else expected.non_bots++;
        expected.by_server_url[url] = (expected.by_server_url[url] ?? 0) + 1;
        text += frame(factory.payload(template, i, user, url), i);
      }
      await write(Buffer.from(text));
    }
  };
}

export async function memory(ctx: Context): Promise<Figure[]> {
  const m = ctx.sizes.memoryUsers;
  const expected: Expected = { messages: 0, bots: 0, non_bots: 0, distinct_users: 0, by_server_url: {} };
  const names = { total: 0 };
  const blaster = startBlaster(distinctUsersFeed(m, expected, names));
  try {
    const service = await spawnService({ env: { STREAM_URL: blaster.url, STORAGE: "in-memory" } });
    try {
      await withTimeout(blaster.connected, 10_000, "the service connecting to the SSE server");
      await Bun.sleep(1000);
      const baseline = rssBytes(service.pid);
      blaster.open();
      const done = await until(service.stats, (s) => s.messages >= m, {
        timeoutMs: 60_000 + m / 10,
        intervalMs: 100,
        what: `/stats showing ${m} messages`,
      });
      const atDone = rssBytes(service.pid);
      assertExact("/stats after the distinct-user feed", done.value, expected);
      // The child cannot be told to collect garbage: give its idle GC a few seconds, keep the lowest RSS.
      let settled = atDone;
      for (let i = 0; i < 20; i++) {
        await Bun.sleep(250);
        settled = Math.min(settled, rssBytes(service.pid));
      }
      const eps = m / ((done.at - blaster.firstByteAt!) / 1000);
      ctx.log(`memory: ${round((settled - baseline) / m)} B/user`);
      return [
        fig(
          BENCH,
          "distinct users fed",
          m,
          "users",
          undefined,
          `one event each; mean name ${round(names.total / m, 1)} chars; ${round(eps)} events/s`,
        ),
        fig(BENCH, "RSS baseline (started, idle)", round(baseline / MB, 1), "MB"),
        fig(BENCH, "RSS when /stats shows all", round(atDone / MB, 1), "MB"),
        fig(BENCH, "RSS settled (lowest over 5 s)", round(settled / MB, 1), "MB"),
        fig(BENCH, "RSS per distinct user (settled − baseline)", round((settled - baseline) / m), "B/user", atMost(150)),
      ];
    } finally {
      await service.stop();
    }
  } finally {
    blaster.stop();
  }
}
