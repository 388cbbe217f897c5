"""Fixtures for the suggestion tests: the shipped library, a filled-in case, a call state builder."""

from __future__ import annotations

from datetime import datetime

import pytest

from assist.analysis.state import CallState
from assist.case import CaseData
from assist.suggest import ScriptLibrary


@pytest.fixture(scope="session")
def library() -> ScriptLibrary:
    return ScriptLibrary()


@pytest.fixture
def case() -> CaseData:
    return CaseData(debtor_name="陈建国", account="6222000011116601", phone="13800001234", amount=3680,
                    overdue_days=35, institution="华信银行信用卡中心", agent_name="刘晓雯", agent_id="8026")


@pytest.fixture
def make_state():
    def make(stage="greet", covered=(), texts=(), ptp=None, objections=()):
        st = CallState(started_at=datetime(2026, 10, 12, 10, 15))
        st.stage = stage
        st.stage_history = [(0, stage)]
        st.covered = set(covered)
        st.texts = list(texts)
        st.raw_texts = list(texts)
        if ptp:
            st.ptp = dict(ptp)
        st.objections = list(objections)
        return st

    return make
