/**
 * Raw calls to an agent's HTTPS mbus (POST /agent with basic auth), following async tasks with
 * get_task: enough to check the VM's agent from outside, independent of src/agent-client.
 */
import { request } from "node:https";
import type { Duplex } from "node:stream";

export interface MbusTarget {
  host: string;
  port: number;
  ca: string;
  user: string;
  password: string;
  /** A ready connection to use instead of dialling (e.g. an SSH channel). */
  socket?: Duplex;
}

export function post(t: MbusTarget, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.host,
        port: t.port,
        ca: t.ca,
        path: "/agent",
        method: "POST",
        agent: false,
        headers: { authorization: `Basic ${Buffer.from(`${t.user}:${t.password}`).toString("base64")}` },
        ...(t.socket === undefined ? {} : { createConnection: () => t.socket as never }),
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Calls an action; follows its task if it is asynchronous; returns the value or throws the exception. */
export async function action(t: MbusTarget, method: string, args: unknown[] = []): Promise<unknown> {
  let reply = await send(t, method, args);
  const taskId = (reply.value as { agent_task_id?: string } | undefined)?.agent_task_id;
  if (taskId !== undefined) {
    for (;;) {
      reply = await send(t, "get_task", [taskId]);
      const value = reply.value as { agent_task_id?: string; state?: string } | undefined;
      if (!(value?.agent_task_id === taskId && value.state === "running")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (reply.exception !== undefined) throw new Error(`${method}: ${reply.exception.message}`);
  return reply.value;
}

async function send(t: MbusTarget, method: string, args: unknown[]): Promise<{ value?: unknown; exception?: { message: string } }> {
  const response = await post(t, { method, arguments: args, reply_to: "e2e-protocol" });
  if (response.status !== 200) throw new Error(`${method}: HTTP ${response.status} ${response.body}`);
  return JSON.parse(response.body) as { value?: unknown; exception?: { message: string } };
}

/** PUT /blobs/<id>: stores a file in the agent's blobstore. */
export function putBlob(t: MbusTarget, id: string, content: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.host,
        port: t.port,
        ca: t.ca,
        path: `/blobs/${id}`,
        method: "PUT",
        agent: false,
        headers: {
          authorization: `Basic ${Buffer.from(`${t.user}:${t.password}`).toString("base64")}`,
          "content-length": content.length,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(content);
  });
}
