"""Keyset pagination: the envelope, cursors, Link headers, stable order, no gaps or repeats."""

import pytest

LISTS = ["/claims", "/quotes", "/speakers", "/sources", "/topics"]


def walk(client, path, limit):
    """Every row of a list, following links.next; returns rows and the number of pages."""
    rows, pages, url = [], 0, f"{path}?limit={limit}"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_json()
        rows += body["data"]
        pages += 1
        url = body["links"]["next"]
        assert body["meta"]["count"] == len(body["data"]) <= limit
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
        else:
            assert "Link" not in response.headers
    return rows, pages


@pytest.mark.parametrize("path", LISTS)
def test_walking_small_pages_gives_every_row_once(client, path):
    everything = client.get(f"{path}?limit=100").get_json()["data"]
    rows, pages = walk(client, path, 2)
    assert rows == everything
    assert pages == -(-len(everything) // 2)  # no empty last page


def test_next_link_keeps_the_filters(client):
    body = client.get("/quotes?speaker=Kim Jong Un&limit=1").get_json()
    assert "speaker=Kim" in body["links"]["next"] and "limit=1" in body["links"]["next"]
    second = client.get(body["links"]["next"]).get_json()
    assert second["data"][0]["speaker"]["slug"] == "kim-jong-un"
    assert second["data"][0]["id"] > body["data"][0]["id"]


def test_default_and_maximum_page_sizes(client):
    assert client.get("/quotes").get_json()["meta"]["limit"] == 20
    assert client.get("/quotes?limit=100").status_code == 200
    assert client.get("/quotes?limit=101").status_code == 400


def test_a_cursor_from_another_list_is_refused(client):
    cursor = client.get("/speakers?limit=1").get_json()["meta"]["next_cursor"]
    response = client.get(f"/claims?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.get_json()["errors"]
