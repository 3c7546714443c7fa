/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/entity-schemas-snapshot.test.ts > TAP > entityJsonSchemas of an entity with every field type > create, update and output schemas 1`] = `
Object {
  "create": Object {
    "properties": Object {
      "attributes": Object {},
      "big_count": Object {
        "anyOf": Array [
          Object {
            "type": "integer",
          },
          Object {
            "pattern": "^-?[0-9]{1,19}$",
            "type": "string",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "body": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "cover": Object {
        "anyOf": Array [
          Object {
            "format": "uuid",
            "type": "string",
          },
          Object {
            "properties": Object {
              "id": Object {
                "format": "uuid",
                "type": "string",
              },
            },
            "required": Array [
              "id",
            ],
            "type": "object",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "due_on": Object {
        "format": "date",
        "type": Array [
          "string",
          "null",
        ],
      },
      "happens_at": Object {
        "format": "date-time",
        "type": Array [
          "string",
          "null",
        ],
      },
      "id": Object {
        "format": "uuid",
        "type": Array [
          "string",
          "null",
        ],
      },
      "owner_id": Object {
        "format": "uuid",
        "type": Array [
          "string",
          "null",
        ],
      },
      "price": Object {
        "anyOf": Array [
          Object {
            "type": "number",
          },
          Object {
            "pattern": "^-?(\\\\d+(\\\\.\\\\d*)?|\\\\.\\\\d+)([eE][-+]?\\\\d+)?$",
            "type": "string",
          },
        ],
      },
      "published": Object {
        "type": Array [
          "boolean",
          "null",
        ],
      },
      "rating": Object {
        "anyOf": Array [
          Object {
            "enum": Array [
              "low",
              "high",
            ],
            "type": "string",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "slug": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "status": Object {
        "anyOf": Array [
          Object {
            "enum": Array [
              "draft",
              "published",
            ],
            "type": "string",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "title": Object {
        "maxLength": 120,
        "type": "string",
      },
      "views": Object {
        "maximum": 2147483647,
        "minimum": -2147483648,
        "type": "integer",
      },
    },
    "required": Array [
      "title",
      "price",
    ],
    "type": "object",
  },
  "output": Object {
    "properties": Object {
      "attributes": Object {},
      "big_count": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "body": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "cover": Object {
        "properties": Object {
          "filename": Object {
            "type": "string",
          },
          "id": Object {
            "type": "string",
          },
          "mime_type": Object {
            "type": "string",
          },
          "size": Object {
            "type": "integer",
          },
        },
        "type": Array [
          "object",
          "null",
        ],
      },
      "created_at": Object {
        "format": "date-time",
        "type": Array [
          "string",
          "null",
        ],
      },
      "deleted_at": Object {
        "format": "date-time",
        "type": Array [
          "string",
          "null",
        ],
      },
      "due_on": Object {
        "format": "date",
        "type": Array [
          "string",
          "null",
        ],
      },
      "happens_at": Object {
        "format": "date-time",
        "type": Array [
          "string",
          "null",
        ],
      },
      "id": Object {
        "format": "uuid",
        "type": Array [
          "string",
          "null",
        ],
      },
      "owner_id": Object {
        "format": "uuid",
        "type": Array [
          "string",
          "null",
        ],
      },
      "price": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "published": Object {
        "type": Array [
          "boolean",
          "null",
        ],
      },
      "rating": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "slug": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "status": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "title": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "updated_at": Object {
        "format": "date-time",
        "type": Array [
          "string",
          "null",
        ],
      },
      "views": Object {
        "type": Array [
          "integer",
          "null",
        ],
      },
    },
    "type": "object",
  },
  "update": Object {
    "properties": Object {
      "attributes": Object {},
      "big_count": Object {
        "anyOf": Array [
          Object {
            "type": "integer",
          },
          Object {
            "pattern": "^-?[0-9]{1,19}$",
            "type": "string",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "body": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "cover": Object {
        "anyOf": Array [
          Object {
            "format": "uuid",
            "type": "string",
          },
          Object {
            "properties": Object {
              "id": Object {
                "format": "uuid",
                "type": "string",
              },
            },
            "required": Array [
              "id",
            ],
            "type": "object",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "due_on": Object {
        "format": "date",
        "type": Array [
          "string",
          "null",
        ],
      },
      "happens_at": Object {
        "format": "date-time",
        "type": Array [
          "string",
          "null",
        ],
      },
      "owner_id": Object {
        "format": "uuid",
        "type": Array [
          "string",
          "null",
        ],
      },
      "price": Object {
        "anyOf": Array [
          Object {
            "type": "number",
          },
          Object {
            "pattern": "^-?(\\\\d+(\\\\.\\\\d*)?|\\\\.\\\\d+)([eE][-+]?\\\\d+)?$",
            "type": "string",
          },
        ],
      },
      "published": Object {
        "type": Array [
          "boolean",
          "null",
        ],
      },
      "rating": Object {
        "anyOf": Array [
          Object {
            "enum": Array [
              "low",
              "high",
            ],
            "type": "string",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "slug": Object {
        "type": Array [
          "string",
          "null",
        ],
      },
      "status": Object {
        "anyOf": Array [
          Object {
            "enum": Array [
              "draft",
              "published",
            ],
            "type": "string",
          },
          Object {
            "type": "null",
          },
        ],
      },
      "title": Object {
        "maxLength": 120,
        "type": "string",
      },
      "views": Object {
        "maximum": 2147483647,
        "minimum": -2147483648,
        "type": "integer",
      },
    },
    "type": "object",
  },
}
`
