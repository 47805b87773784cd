import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { runWithMocks, one, assertUniqueUrns } from "./mocks";

describe("the recording harness", () => {
  it("records parent, options and secret inputs of every registration", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const { resources } = await runWithMocks(() => {
      class C extends pulumi.ComponentResource {
        constructor(name: string) {
          super("monitoring:test:C", name, {}, {});
          const a = new k8s.core.v1.ConfigMap(`${name}-a`, { data: { k: "v" } }, { parent: this, retainOnDelete: true });
          new k8s.core.v1.Secret(`${name}-s`, { stringData: { p: pulumi.secret("x") } }, { parent: this, dependsOn: [a], protect: true });
          this.registerOutputs({});
        }
      }
      new C("c");
    });
    const cm = one(resources, "kubernetes:core/v1:ConfigMap", "c-a");
    assert.equal(cm.retainOnDelete, true);
    assert.match(cm.parent, /monitoring:test:C::c$/);
    const s = one(resources, "kubernetes:core/v1:Secret", "c-s");
    assert.equal(s.protect, true);
    assert.deepEqual(s.dependsOn, [cm.urn]);
    assert.ok(s.secretPaths.includes("stringData.p") || s.secretPaths.includes("stringData"), JSON.stringify(s.secretPaths));
    assertUniqueUrns(resources);
  });

  it("fails a program that calls an invoke", async () => {
    await assert.rejects(
      runWithMocks(async () => {
        await pulumi.runtime.invoke("kubernetes:yaml:decode", { text: "" });
      }),
      /unmocked invoke/,
    );
  });

  it("fails on duplicate URNs", () => {
    const r = { urn: "u" } as any;
    assert.throws(() => assertUniqueUrns([r, r]), /duplicate URNs: u/);
  });
});
