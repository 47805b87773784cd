/** Config of the Spegel component: `monitoring:spegel`. */
import { arr, chartVersion, dflt, obj, oneOf, opt, resources, str } from "./schema";

/**
 * Where containerd keeps its socket, registry host config (certs.d) and content store, per node flavour.
 * - containerd: the chart's defaults (spegel-org/spegel@v0.7.4 charts/spegel/values.yaml `spegel.*`).
 * - k3s / RKE2: their embedded containerd. Socket /run/k3s/containerd/containerd.sock for both (k3s-io/k3s
 *   pkg/agent/config/config_linux.go applyContainerdStateAndAddress; RKE2 docs reference/cli_tools); root
 *   <data-dir>/agent/containerd and registry dir <data-dir>/agent/etc/containerd/certs.d (k3s-io/k3s
 *   pkg/agent/config/config.go Containerd.Root / Containerd.Registry), data-dir /var/lib/rancher/k3s
 *   (k3s) or /var/lib/rancher/rke2 (RKE2 docs reference/linux_agent_config). Spegel's own docs used the same
 *   k3s socket and certs.d paths (spegel-org/spegel docs/COMPATIBILITY.md@2758b1f8); today its compatibility
 *   page (spegel-org/website content/docs/getting-started.md, "K3S and RKE2") points to the distributions'
 *   embedded Spegel instead: prefer that and leave `features.spegel` off there, unless it is disabled.
 */
export const CONTAINERD_PRESETS = {
  containerd: {
    sock: "/run/containerd/containerd.sock",
    registryConfigPath: "/etc/containerd/certs.d",
    contentPath: "/var/lib/containerd/io.containerd.content.v1.content",
  },
  k3s: {
    sock: "/run/k3s/containerd/containerd.sock",
    registryConfigPath: "/var/lib/rancher/k3s/agent/etc/containerd/certs.d",
    contentPath: "/var/lib/rancher/k3s/agent/containerd/io.containerd.content.v1.content",
  },
  rke2: {
    sock: "/run/k3s/containerd/containerd.sock",
    registryConfigPath: "/var/lib/rancher/rke2/agent/etc/containerd/certs.d",
    contentPath: "/var/lib/rancher/rke2/agent/containerd/io.containerd.content.v1.content",
  },
} as const;
export type ContainerdPreset = keyof typeof CONTAINERD_PRESETS;
export const CONTAINERD_PRESET_NAMES = Object.keys(CONTAINERD_PRESETS) as ContainerdPreset[];

/** Spegel also takes "*"; the config accepts one spelling of "every registry" (pkg/oci/filter.go wildcardRegistries). */
export const WILDCARD_REGISTRY = "_default";

/**
 * A registry URL as Spegel accepts it (pkg/oci/filter.go validateRegistryURL): http(s) scheme and a host,
 * with no path (not even "/"), query or user info.
 */
export function isRegistryUrl(v: string): boolean {
  if (!/^https?:\/\/[^/?#@\s]+$/.test(v)) return false;
  try {
    return new URL(v).host !== "";
  } catch {
    return false;
  }
}

const registryUrl = (doc: string, allowWildcard: boolean) =>
  str(doc).check(
    (v) => (allowWildcard && v === WILDCARD_REGISTRY) || isRegistryUrl(v),
    `is not a registry URL; use scheme and host only, e.g. "https://docker.io"${allowWildcard ? ` (or "_default" for every registry)` : ""}`,
  );

const hostPath = (doc: string) => str(doc).check((v) => v.startsWith("/") && !v.includes(".."), `is not an absolute host path; use e.g. "/run/containerd/containerd.sock"`);

export const spegelSection = obj("Spegel, the P2P OCI image mirror (when `features.spegel`).", {
  chartVersion: opt(chartVersion("Override the pinned spegel chart version (components/versions.ts)")),
  containerd: obj("The nodes' containerd: which flavour, and overrides of its paths", {
    preset: dflt(
      oneOf(
        `Node flavour; sets the socket, registry config and content paths: ${CONTAINERD_PRESET_NAMES.map((n) => `${n} (${CONTAINERD_PRESETS[n].sock}, ${CONTAINERD_PRESETS[n].registryConfigPath}, ${CONTAINERD_PRESETS[n].contentPath})`).join("; ")}`,
        CONTAINERD_PRESET_NAMES,
      ),
      "containerd",
    ),
    sock: opt(hostPath("containerd socket on the nodes; overrides the preset")),
    registryConfigPath: opt(hostPath("containerd registry host config directory (its CRI `config_path`) on the nodes; overrides the preset")),
    contentPath: opt(hostPath("containerd content store on the nodes; overrides the preset")),
    namespace: dflt(str("containerd namespace the kubelet's images live in"), "k8s.io"),
  }),
  mirroredRegistries: dflt(
    arr("Registries Spegel mirrors; empty = every registry", registryUrl("registry URL", true), { unique: (x) => x }),
    [],
  ),
  additionalMirrorTargets: dflt(
    arr("Further mirrors containerd tries after Spegel, e.g. a pull-through cache", registryUrl("mirror URL", false), { unique: (x) => x }),
    [],
  ),
  resources: resources("Spegel container resources (the chart's default: 128Mi memory, request = limit)", {
    requests: { memory: "128Mi" },
    limits: { memory: "128Mi" },
  }),
});
