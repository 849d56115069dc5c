/** The typed manifest every other folder works from (see contracts: src/manifest). */
export interface NetworkInterface {
  type: "manual" | "dynamic" | "vip";
  ip?: string;
  netmask?: string;
  gateway?: string;
  dns?: string[];
  cloud_properties: Record<string, unknown>;
  default?: string[];
}

export interface BootstrapManifest {
  name: string;
  /** Absolute path of the manifest file. */
  path: string;
  dir: string;
  releases: { name: string; url: string; sha1?: string; version?: string }[];
  stemcell: { url: string; sha1?: string };
  resourcePool: { name: string; cloudProperties: Record<string, unknown>; env: Record<string, unknown> };
  diskPool?: { name: string; diskSize: number; cloudProperties: Record<string, unknown> };
  /** As bosh builds them for create_vm and the apply spec, keyed by network name. */
  networks: Record<string, NetworkInterface>;
  /** IP of the default (gateway) network. */
  address: string;
  instanceGroup: {
    name: string;
    jobs: { name: string; release: string; properties: Record<string, unknown> | null }[];
    properties: Record<string, unknown>;
  };
  properties: Record<string, unknown>;
  update: { watchTimeStartMs: number; watchTimeEndMs: number };
  tags: Record<string, string>;
  cloudProvider: {
    templates: { name: string; release: string }[];
    mbus: string;
    cert?: { ca: string };
    properties: Record<string, unknown>;
    sshTunnel?: { host: string; port: number; user: string; privateKey?: string; password?: string };
  };
}
