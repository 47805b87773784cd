/** Stack config → the routing tree (routing.ts), pure: what both Alertmanager and Grafana deliver by. */
import type { StackConfig } from "../config";
import { routingTree, RoutingTree } from "./routing";

export function routingTreeOf(cfg: StackConfig): RoutingTree {
  const a = cfg.alerting;
  return routingTree({
    contactPoints: a.contactPoints,
    defaultContactPoint: a.defaultContactPoint,
    routes: a.routes,
    groupBy: a.groupBy,
    deadMansSwitch: a.deadMansSwitch,
    teams: cfg.teams.map((t) => ({ name: t.name, namespaces: t.namespaces })),
  });
}
