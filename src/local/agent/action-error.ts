/**
 * Error texts in the real agent's shape: a chain `outer: inner: root` that clients (and people)
 * read as one string. Actions throw plain Errors; wrap() adds one link to the chain.
 */
import { messageOf } from "../../common/index.js";

export function wrap(context: string, error: unknown): Error {
  return new Error(`${context}: ${messageOf(error)}`, { cause: error });
}

export async function wrapAsync<T>(context: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw wrap(context, error);
  }
}
