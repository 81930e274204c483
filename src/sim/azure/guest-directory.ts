import type { GuestDirectory, SimGuest } from "../ssh/directory.js";
import type { Json } from "./json.js";
import { powerOf } from "./vm-model.js";
import type { World } from "./world.js";

const VM = "Microsoft.Compute/virtualMachines";
const NIC = "Microsoft.Network/networkInterfaces";
const PIP = "Microsoft.Network/publicIPAddresses";
const SHARE = "Microsoft.Storage/storageAccounts/fileServices/shares";

/**
 * The simulated subscription's VMs as the guest network sees them: private IPs of their NICs and
 * the public IPs bound to them, power, the admin user and SSH keys of `osProfile` (what the Azure
 * Linux agent and cloud-init provision); and the NFS file shares at `<account>.file.core.windows.net`.
 */
export function azureGuestDirectory(world: World): GuestDirectory {
  const props = (j: Json | undefined) => (j?.properties ?? {}) as Json;
  return {
    guests: () =>
      world.list(VM).map((vm): SimGuest => {
        const p = props(vm.body);
        const nicRefs = ((p.networkProfile as Json | undefined)?.networkInterfaces ?? []) as Json[];
        const addresses: string[] = [];
        const publics: string[] = [];
        for (const ref of nicRefs) {
          const nic = world.get(String(ref.id));
          for (const c of (props(nic?.body).ipConfigurations ?? []) as Json[]) {
            const cp = props(c);
            if (typeof cp.privateIPAddress === "string") addresses.push(cp.privateIPAddress);
            const pip = (cp.publicIPAddress as Json | undefined)?.id ? world.get(String((cp.publicIPAddress as Json).id)) : undefined;
            if (pip?.type === PIP && typeof props(pip.body).ipAddress === "string") publics.push(String(props(pip.body).ipAddress));
          }
        }
        const os = (p.osProfile ?? {}) as Json;
        const keys = ((((os.linuxConfiguration as Json | undefined)?.ssh as Json | undefined)?.publicKeys ?? []) as Json[]).map((k) => String(k.keyData ?? "").trim()).filter(Boolean);
        const started = typeof vm.internal.startedAt === "number" ? vm.internal.startedAt : undefined;
        return {
          key: `azure:${String(p.vmId ?? vm.id.toLowerCase())}`, names: [String(vm.body.name)], addresses: [...addresses, ...publics],
          running: powerOf(vm) === "running", bootId: String(started ?? vm.internal.provisionedAt ?? ""), ...(started !== undefined ? { startedAt: started } : {}),
          cloudInit: { ...(typeof os.adminUsername === "string" ? { user: os.adminUsername } : {}), keys },
        };
      }),
    nfsExports: () =>
      world.list(SHARE).filter((s) => String(props(s.body).enabledProtocols ?? "").toUpperCase() === "NFS").map((s) => {
        const parts = s.id.split("/");
        const account = parts[parts.indexOf("storageAccounts") + 1] ?? "";
        return { hosts: [`${account}.file.core.windows.net`], path: `/${account}/${String(s.body.name)}` };
      }),
  };
}
