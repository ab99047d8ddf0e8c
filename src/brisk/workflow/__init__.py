"""Workflows: pipelines of agents and functions (Agno's ``agno.workflow``).

``from brisk.workflow import Workflow, Step, Steps, Parallel, Condition, Loop, Router, StepInput, StepOutput``
"""

from brisk.workflow.condition import Condition
from brisk.workflow.loop import Loop
from brisk.workflow.parallel import Parallel
from brisk.workflow.router import Router
from brisk.workflow.step import Step
from brisk.workflow.steps import Steps
from brisk.workflow.types import (
    HumanReview,
    OnError,
    OnReject,
    OnTimeout,
    StepInput,
    StepOutput,
    StepProgress,
    WorkflowExecutionInput,
)
from brisk.workflow.workflow import Workflow

__all__ = [
    "Condition",
    "HumanReview",
    "Loop",
    "OnError",
    "OnReject",
    "OnTimeout",
    "Parallel",
    "Router",
    "Step",
    "StepInput",
    "StepOutput",
    "StepProgress",
    "Steps",
    "Workflow",
    "WorkflowExecutionInput",
]
