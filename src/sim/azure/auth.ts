import type { IncomingHttpHeaders } from "node:http";
import { ArmError } from "./errors.js";

/**
 * Checks `Authorization: Bearer <token>` against the simulator's static token. No header → 401
 * `AuthenticationFailed`; any other value → 401 `InvalidAuthenticationToken`. Deliberately no
 * `WWW-Authenticate` header: the SDK bearer policy would treat it as a CAE claims challenge (reference §1).
 */
export function checkBearer(headers: IncomingHttpHeaders, token: string): void {
  const auth = headers.authorization;
  if (!auth) throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  if (!m) throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.");
  if (m[1] !== token) throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
}
