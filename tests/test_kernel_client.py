"""The grader's kernel client (autograder/limits.py, ``PromptKernelClient``): ready as soon as the
kernel answers and IOPub has joined, without losing the first cell's output, and still failing
with jupyter_client's messages on a kernel that dies or never answers."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager

from autograder.limits import PromptKernelClient

# A minimal kernel: answers kernel_info on shell and publishes status on a plain PUB socket (no
# ipykernel-7 greeting, an old protocol version), ignoring the first ``quiet`` requests on IOPub, as when the client's
# subscription joins late; writes how many requests it answered.
FAKE_KERNEL = r"""
import json, sys, zmq
from jupyter_client.session import Session
info = json.load(open(sys.argv[1]))
mode, quiet, counter = sys.argv[2], int(sys.argv[3]), sys.argv[4]
if mode == "dies":
    sys.exit(3)
session = Session(key=info["key"].encode(), signature_scheme=info["signature_scheme"])
context = zmq.Context()
def bound(kind, port):
    socket = context.socket(kind)
    socket.bind(f"ipc://{info['ip']}-{port}" if info["transport"] == "ipc" else f"tcp://{info['ip']}:{port}")
    return socket
shell, iopub = bound(zmq.ROUTER, info["shell_port"]), bound(zmq.PUB, info["iopub_port"])
others = [bound(zmq.ROUTER, info["control_port"]), bound(zmq.ROUTER, info["stdin_port"]),
          bound(zmq.REP, info["hb_port"])]
answered = 0
while True:
    identities, message = session.feed_identities(shell.recv_multipart())
    request = session.deserialize(message)
    if mode == "silent" or request["header"]["msg_type"] != "kernel_info_request":
        continue
    answered += 1
    open(counter, "w").write(str(answered))
    if answered > quiet:
        session.send(iopub, "status", {"execution_state": "busy"}, parent=request)
    session.send(shell, "kernel_info_reply", {"status": "ok", "protocol_version": "4.1",
                 "implementation": "fake", "language_info": {"name": "python"}}, parent=request, ident=identities)
    if answered > quiet:
        session.send(iopub, "status", {"execution_state": "idle"}, parent=request)
"""


def manager(tmp_path: Path, argv: list[str]) -> AsyncKernelManager:
    folder = tmp_path / "kernels" / "probe"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "probe", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    km = AsyncKernelManager(kernel_name="probe", kernel_spec_manager=specs)
    km.client_class = f"{PromptKernelClient.__module__}.{PromptKernelClient.__name__}"
    km.transport, km.ip = "ipc", str(tmp_path / "k")  # as the grader's kernels (and no TCP warning)
    return km


def fake(tmp_path: Path, mode: str, quiet: int = 0) -> tuple[AsyncKernelManager, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    script, counter = tmp_path / "fake_kernel.py", tmp_path / "answered"
    script.write_text(FAKE_KERNEL)
    argv = [sys.executable, str(script), "{connection_file}", mode, str(quiet), str(counter)]
    return manager(tmp_path, argv), counter


async def started(km: AsyncKernelManager, timeout: float):
    await km.start_kernel()
    client = km.client()
    assert isinstance(client, PromptKernelClient)
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)
    except BaseException:
        client.stop_channels()
        await km.shutdown_kernel(now=True)
        raise
    return client


async def first_output(client, code: str) -> tuple[str, str]:
    """What the first cell printed on IOPub, and its final status."""
    msg_id = client.execute(code)
    printed = ""
    while True:
        msg = await client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            printed += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return printed, (await client.get_shell_msg(timeout=30))["content"]["status"]


def test_a_real_kernel_is_ready_and_its_first_cells_output_arrives(tmp_path):
    async def run():
        outputs = []
        for start in range(3):  # each start races the IOPub subscription anew
            km = manager(tmp_path / str(start), [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
            client = await started(km, timeout=60)
            outputs.append(await first_output(client, f"print('start {start}')"))
            client.stop_channels()
            await km.shutdown_kernel(now=True)
        return outputs

    assert asyncio.run(run()) == [(f"start {n}\n", "ok") for n in range(3)]


def test_a_kernel_answering_before_iopub_joins_is_asked_again_until_it_has(tmp_path):
    km, counter = fake(tmp_path, "answers", quiet=3)

    async def run():
        client = await started(km, timeout=30)
        client.stop_channels()
        await km.shutdown_kernel(now=True)
        return client.session.adapt_version

    assert asyncio.run(run()) == 4  # the reply was taken in: the fake speaks protocol 4.1
    assert int(counter.read_text()) >= 4  # three answers with nothing on IOPub, then one with


def test_a_kernel_that_dies_or_never_answers_fails_with_jupyter_clients_messages(tmp_path):
    dying, _ = fake(tmp_path / "dies", "dies")
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        asyncio.run(started(dying, timeout=30))
    silent, _ = fake(tmp_path / "silent", "silent")
    with pytest.raises(RuntimeError, match="Kernel didn't respond in 2 seconds"):
        asyncio.run(started(silent, timeout=2))
