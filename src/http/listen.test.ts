import { expect, test } from "bun:test";
import { Elysia } from "elysia";
import { listen } from "./listen.ts";

test("listens in Bun's production mode, NODE_ENV or not, on the free port it reports", async () => {
  expect(Bun.env.NODE_ENV).not.toBe("production");
  const app = new Elysia().get("/", () => "ok");
  const port = listen(app, "127.0.0.1", 0);
  try {
    expect(app.server?.development).toBe(false);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
  } finally {
    await app.stop();
  }
});
