/**
 * A living demo fleet: while `--demo` runs, new work arrives (on the current profile, now and then
 * another user's chat shared with the caller), settled chats get follow-ups, error chats are
 * retried, a paused chat's edit ends, pull requests open, get reviewed and merge, and old settled
 * chats are archived so the fleet keeps its size. One small step every few (paced) seconds, for
 * as long as the sim runs, so there is always something to watch or wait on.
 */
import { makePr } from "./chats/seeding.ts";
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
    const current = w.profile === "current";
    if (roll < 30 || live.length < opts.target * 0.9) {
      // New work arrives.
      const topic = pickTopic(rng);
      const owner = rng.pick(w.users);
      const c = chats.newRec(owner, topic.title, now);
      if (current && owner !== w.me && rng.chance(0.2)) c.sharedWith.add(w.me.id);
      c.labels = pickLabels(rng);
      chats.push(c, "user", [{ type: "text", text: topic.prompt }], now);
      chats.run(c, topic.prompt, now);
      chats.add(c);
    } else if (current && roll < 40 && settled.length > 0) {
      // Pull requests move: a settled agent opens one, an open one is merged or closed.
      const c = rng.pick(settled);
      if (!c.pr) c.pr = makePr(rng, rng.chance(0.3) ? "draft" : "open", now);
      else if (c.pr.state === "draft") c.pr = { ...c.pr, state: "open", refreshedAt: now };
      else if (c.pr.state === "open") {
        c.pr = { ...c.pr, state: rng.chance(0.85) ? "merged" : "closed", refreshedAt: now };
      }
      c.updatedAt = now;
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
