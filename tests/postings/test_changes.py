"""The postings' change feed (issue 18, :mod:`service.postings.changes`) on both backends: every
posting created, edited (through the unit of work or an ``UPDATE`` statement) or deleted writes one
``posting_changes`` row in the same transaction; an application or a hire that changes no content
writes none; a rolled-back change leaves none; pruning keeps the last row."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import utcnow
from service.employers.models import Employer
from service.postings.changes import PostingChange, local_commits, prune
from service.postings.models import Posting, PostingStatus


async def _rows(session: AsyncSession) -> list[tuple[int, str]]:
    stmt = select(PostingChange.posting_id, PostingChange.kind).order_by(PostingChange.seq)
    return [(p, k) for p, k in (await session.execute(stmt)).all()]


async def _postings(session: AsyncSession, n: int) -> list[Posting]:
    employer = Employer(name="华南精工", verified=True)
    session.add(employer)
    await session.flush()
    postings = [Posting(title=f"数控车工{i}", employer_id=employer.id, city="广州") for i in range(n)]
    session.add_all(postings)
    await session.commit()
    return postings


async def test_each_content_change_writes_one_row_in_its_transaction(session: AsyncSession) -> None:
    before = local_commits()
    a, b, c = await _postings(session, 3)
    ids = [a.id, b.id, c.id]
    assert await _rows(session) == [(a.id, "created"), (b.id, "created"), (c.id, "created")]
    assert local_commits() == before + 1  # this process knows without asking the database

    # an application and a hire that leaves the posting open are no change of content
    await session.execute(
        update(Posting).where(Posting.id == a.id).values(application_count=Posting.application_count + 1)
    )
    b.hire_count += 1
    await session.commit()
    assert len(await _rows(session)) == 3 and local_commits() == before + 1

    a.title = "高级数控车工"  # the unit of work
    await session.execute(update(Posting).where(Posting.id >= b.id).values(status=PostingStatus.CLOSED))
    await session.commit()
    assert (await _rows(session))[3:] == [(b.id, "edited"), (c.id, "edited"), (a.id, "edited")]

    c.title = "不会留下"
    await session.flush()
    await session.rollback()
    assert len(await _rows(session)) == 6 and local_commits() == before + 2

    a_id, b_id = ids[0], ids[1]
    await session.delete(await session.get(Posting, a_id))
    await session.execute(delete(Posting).where(Posting.id == b_id))
    await session.commit()
    assert (await _rows(session))[6:] == [(b_id, "deleted"), (a_id, "deleted")]


async def test_an_employer_rename_is_an_edit_of_each_of_its_open_postings(session: AsyncSession) -> None:
    """The name is in every posting's indexed document and summary: a rename (unit of work or
    ``UPDATE`` statement) writes an ``edited`` row per open posting; other employer fields none."""
    a, b, c = await _postings(session, 3)
    c.status = PostingStatus.CLOSED
    await session.commit()
    start = len(await _rows(session))
    employer = await session.get(Employer, a.employer_id)
    assert employer is not None
    employer.name = "华南精密制造"
    await session.commit()
    assert (await _rows(session))[start:] == [(a.id, "edited"), (b.id, "edited")]
    await session.execute(update(Employer).where(Employer.id == employer.id).values(name="华南精工集团"))
    await session.commit()
    assert (await _rows(session))[start + 2 :] == [(a.id, "edited"), (b.id, "edited")]
    employer.verified = False  # not shown in a posting's document (the hidden postings follow their own feed)
    await session.execute(update(Employer).where(Employer.id == employer.id).values(industry="制造业"))
    await session.commit()
    assert len(await _rows(session)) == start + 4


async def test_deleting_an_employer_deletes_each_of_its_postings_in_the_feed(session: AsyncSession) -> None:
    """The database's ON DELETE CASCADE takes an employer's postings without the ORM seeing them
    (issue 18): deleting the employer (unit of work or ``DELETE`` statement) writes a ``deleted`` row
    for every posting of theirs, open or not, in the same transaction; a rolled-back one none."""
    a, b, c = await _postings(session, 3)
    c.status = PostingStatus.CLOSED
    other = Employer(name="岭南机电", verified=True)
    session.add(other)
    await session.flush()
    d = Posting(title="电工", employer_id=other.id, city="广州")
    session.add(d)
    await session.commit()
    ids = {"a": a.id, "b": b.id, "c": c.id, "d": d.id}
    employer_id = a.employer_id
    start = len(await _rows(session))
    employer = await session.get(Employer, employer_id)
    assert employer is not None

    await session.delete(employer)
    await session.flush()
    await session.rollback()
    assert len(await _rows(session)) == start

    await session.delete(await session.get(Employer, employer_id))
    await session.commit()
    assert (await _rows(session))[start:] == [(ids["a"], "deleted"), (ids["b"], "deleted"), (ids["c"], "deleted")]
    assert (await session.execute(select(Posting.id).where(Posting.id.in_(ids.values())))).scalars().all() == [ids["d"]]

    await session.execute(delete(Employer).where(Employer.name == "岭南机电"))
    await session.commit()
    assert (await _rows(session))[start + 3 :] == [(ids["d"], "deleted")]


async def test_prune_keeps_recent_rows_and_the_last_one(session: AsyncSession) -> None:
    postings = await _postings(session, 3)
    old = utcnow() - dt.timedelta(days=3)
    await session.execute(update(PostingChange).values(at=old))
    await session.commit()
    assert await prune(session, utcnow()) == 2
    await session.commit()
    assert await _rows(session) == [(postings[2].id, "created")]
    postings[0].title = "新标题"
    await session.commit()
    assert await prune(session, utcnow()) == 1  # the old last row goes once a newer one exists
    assert await _rows(session) == [(postings[0].id, "edited")]
