// The Engine API's error shape: an HTTP status and a JSON body {"message": …}, as dockerd answers
// (dockerode puts the message into the Error it rejects with, after "(HTTP code N)").

export class EngineError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) =>
  new EngineError(404, `No such ${what}: ${id}`);
export const badRequest = (message: string) => new EngineError(400, message);
export const conflict = (message: string) => new EngineError(409, message);
