import { z } from "zod";
import { AgentRowSchema, AgentSchema } from "/work/wt-i20/src/tools/schemas.ts";
const j = (s: z.ZodType) =>
  JSON.stringify(z.toJSONSchema(s, { target: "draft-2020-12", io: "output" }));
console.log("row", j(AgentRowSchema).length, "agent", j(AgentSchema).length);
console.log(j(AgentRowSchema));
const W = z.object({ a: z.array(AgentRowSchema), b: z.array(AgentRowSchema) });
console.log("two rows inline", j(W).length);
const R = AgentRowSchema.meta({ id: "AgentRow" });
const W2 = z.object({ a: z.array(R), b: z.array(R) });
console.log("two rows ref", j(W2).length, j(W2).slice(0, 300));
