/**
 * The `/chats` routes of the simulated Coder: the list (`list.ts`), one chat, its messages
 * (paged), its cost, the model configs, the watch socket, and the writes (`writes.ts`). A chat
 * the caller may not see answers 404 on every route, as for an unknown id (`access.ts`).
 */
import type { World } from "../deployment.ts";
import type { ChatRec, ChatStore } from "./store.ts";
import type { ChatWatchHub } from "./watch.ts";
import { legacyModelsJson, orgModelsJson } from "./models.ts";
import { chatWire } from "./wire.ts";
import { HttpAnswer, invalidUuid, json, resourceNotFound } from "../http.ts";
import type { Router } from "../router.ts";
import { isUuid } from "../util.ts";
import { visible } from "./access.ts";
import { listChats } from "./list.ts";
import { messagesPage } from "./messages.ts";
import { ChatWrites } from "./writes.ts";

/** The Chats API over one chat store. */
export class ChatRoutes {
  readonly store: ChatStore;
  readonly world: World;
  /** The chat watch (current profile). */
  readonly watch?: ChatWatchHub;

  readonly #writes: ChatWrites;

  constructor(store: ChatStore, watch?: ChatWatchHub) {
    this.store = store;
    this.world = store.world;
    this.watch = watch;
    this.#writes = new ChatWrites(store);
  }

  /** The chat a `{chat}` parameter names, if the caller may see it (else 404, or 400). */
  #find(ref: string): ChatRec {
    if (!isUuid(ref)) throw new HttpAnswer(invalidUuid(ref));
    const c = this.store.get(ref.toLowerCase());
    if (!c || !visible(this.world, c)) throw new HttpAnswer(resourceNotFound());
    return c;
  }

  /** Register the Chats routes under `prefix` (`/api/v2` or `/api/experimental`). */
  register(router: Router, prefix: string): void {
    const C = `${prefix}/chats`;
    const w = this.world;
    router.add("GET", C, ({ query }) => listChats(this.store, query));
    router.add("POST", C, ({ req }) => this.#writes.create(req));
    if (w.profile === "current") {
      // Current Coder: model configs are organization-scoped, flat, with provider descriptors
      // (reference 9); the old route answers 404.
      router.add("GET", "/api/v2/organizations/{organization}/chats/models", ({ params }) => {
        const org = params.organization;
        return org === w.org.id || org === w.org.name
          ? json(200, orgModelsJson(w))
          : resourceNotFound();
      });
      router.add("GET", `${C}/models`, () => resourceNotFound());
      if (this.watch) {
        const hub = this.watch;
        router.add("GET", `${C}/watch`, ({ req }) => hub.accept(req));
      }
    } else router.add("GET", `${C}/models`, () => json(200, legacyModelsJson(w)));
    router.add(
      "GET",
      `${C}/{chat}`,
      ({ params }) => json(200, chatWire(this.world, this.#find(params.chat), true)),
    );
    router.add("PATCH", `${C}/{chat}`, ({ req, params }) => {
      return this.#writes.update(this.#find(params.chat), req);
    });
    router.add("GET", `${C}/{chat}/messages`, ({ params, query }) => {
      return messagesPage(this.world, this.#find(params.chat), query);
    });
    router.add("POST", `${C}/{chat}/messages`, ({ req, params }) => {
      return this.#writes.send(this.#find(params.chat), req);
    });
    router.add("POST", `${C}/{chat}/interrupt`, ({ params }) => {
      return this.#writes.interrupt(this.#find(params.chat));
    });
    router.add("GET", `${C}/{chat}/cost`, ({ params }) => {
      const c = this.#find(params.chat);
      const requests = c.requests;
      return json(200, {
        chat_id: c.id,
        total_cost_micros: requests * 4_250 + (c.messages.length % 7) * 130,
        request_count: requests,
        unpriced_request_count: 0,
      });
    });
  }
}
