"""Two writers at the same moment: problem numbers stay unique and a problem moves only once."""

import threading
from datetime import date

import pytest
from django.db import connection

from zhifa.core.errors import DomainError
from zhifa.oversight import services
from zhifa.oversight.models import Problem, ProblemStep

from .factories import problem as make_problem


def _run(workers):
    errors = []
    barrier = threading.Barrier(len(workers))

    def wrap(fn):
        def run():
            try:
                barrier.wait()
                fn()
            except Exception as exc:  # collected and asserted by the caller
                errors.append(exc)
            finally:
                connection.close()
        return run

    threads = [threading.Thread(target=wrap(w)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_distinct_numbers(world):
    def create():
        for _ in range(4):
            make_problem(world, found_on=date(2026, 6, 1))

    errors = _run([create, create])
    assert not errors, errors
    numbers = sorted(Problem.objects.values_list("number", flat=True))
    assert numbers == [f"WT2026{n:04d}" for n in range(1, 9)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_recheck_moves_the_problem_once(world):
    p = make_problem(world)
    services.problem_transition(actor=world.users["officer"], problem=p, action="report", note="已整改")

    def recheck(who):
        return lambda: services.problem_transition(actor=world.users[who], problem=Problem.objects.get(pk=p.pk), action="recheck_pass", note="到位")

    errors = _run([recheck("supervisor"), recheck("head")])
    assert len(errors) <= 1 and all(isinstance(e, DomainError) for e in errors), errors
    assert ProblemStep.objects.filter(problem=p, action="recheck_pass").count() == 1
    assert Problem.objects.get(pk=p.pk).status == Problem.Status.CLOSED
