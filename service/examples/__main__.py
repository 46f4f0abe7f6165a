"""Regenerate the OpenAPI response examples: python -m service.examples"""

import json
import tempfile

from service import create_app
from service.auth import create_token
from service.cli import prepare_database
from service.examples import EXAMPLE_TOKEN_NAME
from service.examples import HERE
from service.examples import current_examples


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/examples.db"})
        prepare_database(app)
        with app.extensions["claimbase.db"].connection_context():
            token, _ = create_token(EXAMPLE_TOKEN_NAME, "editor")
        for name, body in current_examples(app.test_client(), token).items():
            text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
            (HERE / f"{name}.json").write_text(text, encoding="utf-8")
            print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
