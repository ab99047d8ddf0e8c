"""``workers > 1``: uvicorn's process supervisor, with each worker running a draining server."""

from __future__ import annotations

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from brisk.os._serve import DrainingServer

__all__ = ["DrainingMultiprocess"]


class DrainingProcess(Process):
    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = DrainingServer(config=self.config)
        return self._server


class DrainingMultiprocess(Multiprocess):
    def init_processes(self) -> None:
        for _ in range(self.processes_num):
            process = DrainingProcess(self.config, self.sockets)
            process.start()
            self.processes.append(process)
