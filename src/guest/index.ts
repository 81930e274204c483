/** The guest layer: VirtualMachine/NAME@guest resources reconciled inside VMs over SSH (see README "Inside the guests"). */
export { guestProvider } from "./provider.js";
export { GuestSession, type GuestSessionInput } from "./session.js";
