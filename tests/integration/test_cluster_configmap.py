"""Cluster mode with --configmap NS/NAME: the ConfigMaps of that namespace
are listed and watched (and no others), and an edit of the ConfigMap
applies to traffic without a restart, as in standalone mode."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402


def config_map(name, data, namespace="sluice"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": data}


class ClusterConfigMapTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self)
        self.dev = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.dev.port) + [
            h.ingress("dev", [(None, [("/dev", "Prefix", "dev", 80)])]),
            config_map("config", {"block-user-agents": "BadBot"}),
            config_map("headers", {"X-Frame-Options": "DENY"}),
            config_map("config", {"block-user-agents": "Elsewhere"}, namespace="other"),
        ])

    def status(self, proxy, user_agent):
        return proxy.get("/dev", headers={"User-Agent": user_agent}, timeout=5).status

    def test_the_watched_configmap_applies_and_follows_edits(self):
        proxy = c.start_sluice(self, self.api, args=["--configmap", "sluice/config"])
        self.assertEqual(self.status(proxy, "BadBot"), 403)
        self.assertEqual(self.status(proxy, "Elsewhere"), 200)  # another namespace's ConfigMap is not it
        lists = self.api.lists("configmaps")
        self.assertEqual(len(lists), 1)
        self.assertIn("/namespaces/sluice/configmaps", lists[0].path)
        h.wait_for(lambda: self.api.watches("configmaps"), message="a watch of configmaps")
        self.assertIn("/namespaces/sluice/configmaps", self.api.watches("configmaps")[0].path)

        self.api.apply(config_map("config", {"block-user-agents": "OtherBot", "add-headers": "sluice/headers"}))
        h.wait_for(lambda: self.status(proxy, "BadBot") == 200, message="the edit applied")
        self.assertEqual(self.status(proxy, "OtherBot"), 403)
        self.assertEqual(proxy.get("/dev", timeout=5).header("X-Frame-Options"), "DENY")

        self.api.delete("v1", "ConfigMap", "config", namespace="sluice")
        h.wait_for(lambda: self.status(proxy, "OtherBot") == 200, message="the deletion applied")
        self.assertTrue(proxy.proc.alive())

    def test_without_the_flag_no_configmap_is_watched(self):
        proxy = c.start_sluice(self, self.api)
        self.assertEqual(self.status(proxy, "BadBot"), 200)
        self.assertEqual(self.api.lists("configmaps"), [])


if __name__ == "__main__":
    unittest.main()
