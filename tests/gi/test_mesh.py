#!/usr/bin/python3
# test_mesh.py: AnyMesh through GObject introspection (PyGObject), with
# the override's Python values
#
# SPDX-License-Identifier: MIT
#
# Three sockets in a chain a - b - c over ws://127.0.0.1 (port 0), each
# with a mesh: a reaches c two hops away, c gets a's publication with a's
# authenticated node id and fingerprint, and answers a's end-to-end
# request. Every wait is bounded (test_socket.GiTestCase.wait).

import sys
import unittest

import tap
from test_socket import GiTestCase, Pending
from gi.repository import AnySocket  # noqa: E402

MESH_WAIT_S = 20.0


class MeshTest(GiTestCase):

    def mesh_node(self):
        sock = self.new_socket()
        mesh = AnySocket.Mesh.new(sock)
        mesh.props.announce_interval = 300
        mesh.props.gossip_interval = 50
        self.meshes.append(mesh)
        return sock, mesh, self.listen(sock)

    def setUp(self):
        super().setUp()
        self.meshes = []

    def tearDown(self):
        self.meshes = []
        super().tearDown()

    def test_00_chain(self):
        a, mesh_a, _ = self.mesh_node()
        b, mesh_b, port_b = self.mesh_node()
        c, mesh_c, port_c = self.mesh_node()
        self.connect_to(a, port_b)
        self.connect_to(b, port_c)
        self.wait(lambda: mesh_a.get_node(mesh_c.get_node_id()) is not None
                  and mesh_c.get_node(mesh_a.get_node_id()) is not None,
                  'a and c reaching each other', MESH_WAIT_S)
        far = mesh_a.get_node(mesh_c.props.node_id)
        self.assertEqual(far.props.hops, 2)
        self.assertEqual(far.get_fingerprint(), mesh_c.get_fingerprint())
        self.assertEqual(len(mesh_b.get_nodes()), 2)
        self.assertEqual(len(mesh_a.get_node_id()), 32)

        got = []
        mesh_c.subscribe('room')
        mesh_c.connect('message::room',
                       lambda m, topic, author, fp, msg:
                       got.append((topic, author, fp, AnySocket.from_json_node(msg))))
        mesh_a.publish('room', {'text': 'h\u00e9llo'})
        self.wait(lambda: got, 'the publication at c', MESH_WAIT_S)
        self.assertEqual(got, [('room', mesh_a.get_node_id(), mesh_a.get_fingerprint(),
                                {'text': 'h\u00e9llo'})])

        def on_request(mesh, node, msg):
            return AnySocket.to_json_node({'echo': AnySocket.from_json_node(msg),
                                           'from': node.get_id()})
        mesh_c.connect('request', on_request)
        pending = Pending()
        mesh_a.request_async(mesh_c.get_node_id(), [1, 2], 5000, None, pending)
        self.wait(lambda: pending.done, 'the end-to-end reply', MESH_WAIT_S)
        self.assertEqual(mesh_a.request_finish(pending.result),
                         {'echo': [1, 2], 'from': mesh_a.get_node_id()})
        self.assertTrue(far.props.verified)
        self.assertGreaterEqual(far.props.lag, 0)
        stats = mesh_c.dup_stats().unpack()
        self.assertEqual(stats['bad-signature'], 0)
        self.assertGreaterEqual(stats['e2e-received'], 1)

        # send_async takes a Python value; pins, pinned and node-refused.
        got_msgs = []
        mesh_c.connect('node-message', lambda m, node, msg:
                       got_msgs.append(AnySocket.from_json_node(msg)))
        sent = Pending()
        mesh_a.send_async(mesh_c.get_node_id(), {'n': 7}, None, sent)
        self.wait(lambda: sent.done, 'send_async', MESH_WAIT_S)
        self.assertTrue(mesh_a.send_finish(sent.result))
        self.wait(lambda: got_msgs == [{'n': 7}], 'the message at c', MESH_WAIT_S)
        mesh_a.pin_node(mesh_c.get_node_id(), mesh_c.get_fingerprint())
        self.assertTrue(far.props.pinned)
        self.assertEqual(mesh_a.get_pinned_node(mesh_c.get_node_id()), mesh_c.get_fingerprint())
        refused = []
        mesh_a.connect('node-refused', lambda m, node_id, fp, reason: refused.append(node_id))
        mesh_a.pin_node(mesh_b.get_node_id(), mesh_c.get_fingerprint())
        self.assertEqual(refused, [mesh_b.get_node_id()])
        self.assertIsNone(mesh_a.get_node(mesh_b.get_node_id()))
        mesh_a.track_lag(mesh_c.get_node_id(), True)


if __name__ == '__main__':
    sys.exit(tap.main(sys.modules[__name__]))
