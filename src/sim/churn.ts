/**
 * A living demo fleet: while `--demo` runs, new work arrives, settled chats get follow-ups, error
 * chats are retried, a paused chat's edit ends, and old settled chats are archived so the fleet
 * keeps its size. One small step every few (paced) seconds, for as long as the sim runs, so there
 * is always something to watch or wait on.
 */
import type { ChatStore } from "./chats/store.ts";
import { pickFollowUp, pickLabels, pickTopic } from "./seed.ts";
import type { Rng } from "./util.ts";

/** Start the churn; returns the function that stops it. */
export function startChurn(
  chats: ChatStore,
  rng: Rng,
  opts: { everyMs: number; target: number; tick: () => void },
): () => void {
  const step = () => {
    opts.tick();
    const now = chats.world.clock.now();
    const w = chats.world;
    const live = chats.all.filter((c) => !c.archived);
    const settled = live.filter((c) => c.status !== "running" && c.status !== "interrupting");
    const roll = rng.int(0, 99);
    if (roll < 30 || live.length < opts.target * 0.9) {
      // New work arrives.
      const topic = pickTopic(rng);
      const c = chats.newRec(rng.pick(w.users), topic.title, now);
      c.labels = pickLabels(rng);
      chats.push(c, "user", [{ type: "text", text: topic.prompt }], now);
      chats.run(c, topic.prompt, now);
      chats.add(c);
    } else if (roll < 75 && settled.length > 0) {
      // A settled agent gets its next instruction (a paused one: the edit ends).
      const c = rng.pick(settled);
      const text = pickFollowUp(rng);
      chats.push(c, "user", [{ type: "text", text }], now);
      chats.run(c, text, now);
    } else if (live.length > opts.target && settled.length > 0) {
      // Finished work is archived, oldest first, so the fleet keeps its size.
      const oldest = settled.reduce((a, b) => (a.updatedAt <= b.updatedAt ? a : b));
      oldest.archived = true;
      oldest.updatedAt = now;
    }
  };
  const timer = setInterval(step, opts.everyMs);
  return () => clearInterval(timer);
}
