"""What the cohort grader adds around nbgrader's own execution step: timing, an output cap, and a
kernel client that starts talking to a kernel as soon as it is ready."""

from __future__ import annotations

import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

# The last notebook's execution, for the benchmark's breakdown: all of it (kernel start to
# shutdown), the kernel's start until it answers, and the first code cell (the course's imports).
EXECUTION_SECONDS = 0.0
KERNEL_START_SECONDS = 0.0
FIRST_CELL_SECONDS = 0.0


def reset_timers() -> None:
    global EXECUTION_SECONDS, KERNEL_START_SECONDS, FIRST_CELL_SECONDS
    EXECUTION_SECONDS = KERNEL_START_SECONDS = FIRST_CELL_SECONDS = 0.0


class TimedExecute(Execute):
    """nbgrader's Execute, unchanged, timed (the benchmark separates execution from overhead)."""

    def preprocess(self, nb, resources=None, km=None):
        global EXECUTION_SECONDS
        self._started = time.monotonic()
        self._first_cell_timed = False
        try:
            return super().preprocess(nb, resources, km)
        finally:
            EXECUTION_SECONDS += time.monotonic() - self._started

    def start_new_kernel_client(self, **kwargs):
        global KERNEL_START_SECONDS
        try:
            return super().start_new_kernel_client(**kwargs)
        finally:
            KERNEL_START_SECONDS += time.monotonic() - self._started

    def preprocess_cell(self, cell, resources, index):
        global FIRST_CELL_SECONDS
        if cell.cell_type != "code" or self._first_cell_timed:
            return super().preprocess_cell(cell, resources, index)
        self._first_cell_timed = True
        started = time.monotonic()
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            FIRST_CELL_SECONDS += time.monotonic() - started


class LimitOutputSize(NbGraderPreprocessor):
    """Cap each code cell's outputs in characters (nbgrader's LimitOutput counts lines, so one
    megabyte-long line passes it): a learner's runaway print must not make a feedback page or
    gradebook huge."""

    max_chars = Integer(20_000, help="characters of output kept per cell").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        budget, kept = self.max_chars, []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                if len(text) > budget:
                    output["text"] = text[: max(budget, 0)] + f"\n... output truncated ({len(text):,} characters) ...\n"
                budget -= len(text)
            elif output.get("output_type") in ("display_data", "execute_result"):
                data = output.get("data", {})
                size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
                if size > max(budget, self.max_chars * 25):  # images are big; a megabyte of HTML is not
                    output["data"] = {"text/plain": f"... output removed ({size:,} characters) ..."}
                    output["metadata"] = {}
                budget -= min(size, self.max_chars)
            kept.append(output)
        cell["outputs"] = kept
        return cell, resources


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous kernel client, whose readiness check waits for messages rather
    than for fixed delays.

    Ready means what jupyter_client's own check means: the kernel answered a ``kernel_info_request``
    on the shell channel, and a message came through on IOPub, so the subscription has joined and
    no output of the first cell can be lost (a PUB socket drops what it publishes before then).
    jupyter_client 8 (``KernelClient._async_wait_for_ready``) waits up to 0.2 s for that IOPub
    message after the reply, and on a fresh kernel the subscription has usually joined only after
    the kernel's first status messages, so it waits it out and asks again; then it reads IOPub until
    it has been silent for 0.2 s. That is 0.2 to 0.4 s of each kernel start spent waiting, about a
    tenth of a warm submission. This check watches both sockets and returns as soon as both
    conditions hold; it asks again only when the kernel answered before IOPub joined (ipykernel 7
    also greets each new subscription on IOPub, which is enough). Status messages it leaves behind
    belong to its own requests, and nbclient ignores IOPub messages and shell replies to requests
    that are not its own. (As with nbclient, the client is made by a kernel manager, which says
    whether the kernel process is alive; jupyter_client's wait for heartbeats, for clients without
    one, is left out.)
    """

    ask_every = 1.0        # seconds between requests while the kernel has not answered (as jupyter_client)
    ask_again_after = 0.02  # seconds: the kernel answered, IOPub has not joined yet

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        poller = zmq.asyncio.Poller()
        shell, iopub = self.shell_channel.socket, self.iopub_channel.socket
        poller.register(shell, zmq.POLLIN)
        poller.register(iopub, zmq.POLLIN)
        asked: set[str] = set()
        reply: dict | None = None
        iopub_joined = False
        next_ask = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= next_ask:
                if reply is None and asked and not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                asked.add(self.kernel_info())
                next_ask = now + (self.ask_every if reply is None else self.ask_again_after)
            if now > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
            wait = max(0.0, min(next_ask, deadline) - now)
            ready = dict(await poller.poll(timeout=int(wait * 1000) + 1))
            if iopub in ready:
                iopub_joined = bool(await _received(self.iopub_channel)) or iopub_joined
            if shell in ready:
                for msg in await _received(self.shell_channel):
                    if msg["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") in asked:
                        if reply is None:  # it answers: while IOPub has not joined, ask again soon
                            next_ask = min(next_ask, time.monotonic() + self.ask_again_after)
                        reply = msg
            if reply is not None and iopub_joined:
                self._handle_kernel_info_reply(reply)
                await _received(self.iopub_channel)  # what has arrived so far: the caller starts afresh
                return


async def _received(channel) -> list[dict]:
    """The messages ``channel`` holds now, without waiting (its ``get_msgs`` waits for one more)."""
    messages = []
    while True:
        try:
            messages.append(await channel.get_msg(timeout=0))
        except Empty:
            return messages
