/**
 * The fields of a network interface that observing a VM reads: an SDK `NetworkInterface` (a single
 * read) is one, and so is what `nicFromWire` makes of an item of a raw list.
 */
export interface NicView {
  id?: string;
  ipConfigurations?: Array<{ primary?: boolean; privateIPAddress?: string; publicIPAddress?: { id?: string }; subnet?: { id?: string } }>;
}

/** The fields of a public IP address that observing a VM reads (an SDK `PublicIPAddress` is one). */
export interface PublicIpView {
  id?: string;
  ipAddress?: string;
}

interface WireRef {
  id?: string;
}

/** A network interface as ARM sends it (only what NicView needs). */
export interface WireNic {
  id?: string;
  properties?: { ipConfigurations?: Array<{ properties?: { primary?: boolean; privateIPAddress?: string; publicIPAddress?: WireRef; subnet?: WireRef } }> };
}

/** A public IP address as ARM sends it (only what PublicIpView needs). */
export interface WirePublicIp {
  id?: string;
  properties?: { ipAddress?: string };
}

/** The NicView of a wire network interface (the SDK flattens `properties` the same way). */
export function nicFromWire(w: WireNic): NicView {
  const configs = w.properties?.ipConfigurations;
  return {
    ...(w.id !== undefined ? { id: w.id } : {}),
    ...(configs ? {
      ipConfigurations: configs.map(({ properties: p = {} }) => ({
        ...(p.primary !== undefined ? { primary: p.primary } : {}),
        ...(p.privateIPAddress !== undefined ? { privateIPAddress: p.privateIPAddress } : {}),
        ...(p.publicIPAddress ? { publicIPAddress: { ...(p.publicIPAddress.id !== undefined ? { id: p.publicIPAddress.id } : {}) } } : {}),
        ...(p.subnet ? { subnet: { ...(p.subnet.id !== undefined ? { id: p.subnet.id } : {}) } } : {}),
      })),
    } : {}),
  };
}

/** The PublicIpView of a wire public IP address. */
export function publicIpFromWire(w: WirePublicIp): PublicIpView {
  return { ...(w.id !== undefined ? { id: w.id } : {}), ...(w.properties?.ipAddress !== undefined ? { ipAddress: w.properties.ipAddress } : {}) };
}
