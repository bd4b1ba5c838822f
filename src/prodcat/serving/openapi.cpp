#include "prodcat/serving/openapi.h"

#include "prodcat/common/version.h"

namespace prodcat::serving {
namespace {

// The static part of the document; limits and versions are filled in by OpenApiDocument.
constexpr const char* kDocument = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "prodcat inference API",
    "description": "Product categorization: send a product (title, brand, price, ...), get its category with calibrated probabilities. Also speaks a subset of the KServe v2 / Open Inference Protocol under /v2. Errors of the main API are {\"error\": {\"code\", \"message\", \"field\"}}; errors under /v2 are {\"error\": \"...\"} as the protocol specifies.",
    "version": ""
  },
  "tags": [
    {"name": "prediction", "description": "Categorize products"},
    {"name": "operations", "description": "Health, readiness, metrics, administration"},
    {"name": "open-inference-protocol", "description": "KServe v2 / Open Inference Protocol (REST) subset"},
    {"name": "monitoring", "description": "Drift, shadow models"},
    {"name": "experiments", "description": "A/B tests between model versions, and ground-truth feedback"}
  ],
  "paths": {
    "/": {
      "get": {
        "tags": ["operations"], "summary": "Service name, version, endpoints and the model being served",
        "operationId": "serviceInfo",
        "responses": {"200": {"description": "Service information", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ServiceInfo"}}}}}
      }
    },
    "/health": {
      "get": {
        "tags": ["operations"], "summary": "Liveness: the process is up", "operationId": "health",
        "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}
      }
    },
    "/ready": {
      "get": {
        "tags": ["operations"], "summary": "Readiness: a model is loaded and warmed and the server is not draining", "operationId": "ready",
        "responses": {
          "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}},
          "503": {"description": "Not ready (no model yet, or shutting down)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}}
        }
      }
    },
    "/predict": {
      "post": {
        "tags": ["prediction"], "summary": "Categorize one product", "operationId": "predict",
        "parameters": [{"$ref": "#/components/parameters/TopK"}, {"$ref": "#/components/parameters/RequestId"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Product"},
          "example": {"title": "Wireless Bluetooth Headphones with Noise Cancelling", "brand": "Sony", "price": 89.99, "rating": 4.5, "reviews_count": 1200}}}},
        "responses": {
          "200": {"description": "The predicted category", "headers": {"X-Request-Id": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Prediction"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "422": {"$ref": "#/components/responses/Invalid"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/predict/batch": {
      "post": {
        "tags": ["prediction"], "summary": "Categorize many products; an invalid item gets its own error entry", "operationId": "predictBatch",
        "parameters": [{"$ref": "#/components/parameters/TopK"}, {"$ref": "#/components/parameters/RequestId"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"},
          "example": {"items": [{"title": "Stainless steel chef knife 8 inch"}, {"title": "Organic dog treats", "price": 12.5}]}}}},
        "responses": {
          "200": {"description": "One result per item, in order", "headers": {"X-Request-Id": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchPrediction"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "422": {"$ref": "#/components/responses/Invalid"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/metrics": {
      "get": {
        "tags": ["operations"], "summary": "Prometheus metrics (text exposition format 0.0.4)", "operationId": "metrics",
        "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["operations"], "summary": "This document", "operationId": "openapi",
        "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/docs": {
      "get": {
        "tags": ["operations"], "summary": "Swagger UI", "operationId": "swaggerUi",
        "responses": {
          "200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/redoc": {
      "get": {
        "tags": ["operations"], "summary": "ReDoc", "operationId": "redoc",
        "responses": {
          "200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/admin/reload": {
      "post": {
        "tags": ["operations"], "summary": "Check the model source now and swap in its model if it changed", "operationId": "reload",
        "security": [{"adminToken": []}],
        "parameters": [{"name": "force", "in": "query", "required": false, "description": "Reload even when the source did not change", "schema": {"type": "boolean"}}],
        "responses": {
          "200": {"description": "Reloaded, or unchanged", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReloadResult"}}}},
          "401": {"description": "Missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "403": {"description": "Administration is disabled (no token configured)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "500": {"description": "The new model was rejected; the current one keeps serving", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/admin/fault": {
      "post": {
        "tags": ["operations"], "summary": "Inject a primary-model failure (drills; needs --allow-fault-injection)", "operationId": "injectFault",
        "security": [{"adminToken": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "type": "object",
          "properties": {"primary": {"type": "string", "enum": ["none", "error", "delay"]}, "delay_ms": {"type": "integer", "minimum": 0, "maximum": 60000}}
        }}}},
        "responses": {
          "200": {"description": "The fault now in effect", "content": {"application/json": {"schema": {"type": "object", "required": ["primary", "delay_ms"], "properties": {"primary": {"type": "string"}, "delay_ms": {"type": "integer"}}}}}},
          "400": {"description": "Not a JSON object", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "401": {"description": "Missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "403": {"description": "Administration or fault injection is disabled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "422": {"description": "Unknown mode or delay out of range", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/shadow": {
      "get": {
        "tags": ["monitoring"], "summary": "The shadow model's agreement with the primary and its latency", "operationId": "shadow",
        "responses": {
          "200": {"description": "Shadow statistics", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ShadowSummary"}}}},
          "404": {"description": "No shadow model is configured", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/drift": {
      "get": {
        "tags": ["monitoring"], "summary": "Drift of live traffic against the served model's training profile (count and time windows)", "operationId": "drift",
        "responses": {
          "200": {"description": "Drift report", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DriftReport"}}}},
          "404": {"description": "Drift detection is off", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "503": {"description": "No model loaded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/experiments": {
      "get": {
        "tags": ["experiments"], "summary": "Every experiment and the running one", "operationId": "listExperiments",
        "responses": {
          "200": {"description": "Experiments", "content": {"application/json": {"schema": {"type": "object", "required": ["experiments", "active"], "properties": {"experiments": {"type": "array", "items": {"$ref": "#/components/schemas/ExperimentSpec"}}, "active": {"type": "string", "nullable": true}}}}}},
          "404": {"description": "Experiments are off", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "post": {
        "tags": ["experiments"], "summary": "Create and start an A/B experiment (arms name registered model versions, aliases or bundle directories)", "operationId": "createExperiment",
        "security": [{"adminToken": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExperimentSpec"}}}},
        "responses": {
          "201": {"description": "Created; its summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExperimentSummary"}}}},
          "400": {"description": "Not a JSON object", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "401": {"description": "Missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "403": {"description": "Administration is disabled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "404": {"description": "Experiments are off", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "409": {"description": "An experiment with this id exists, or another one is running", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "422": {"description": "Invalid experiment, or an arm's model cannot be loaded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/experiments/{id}": {
      "get": {
        "tags": ["experiments"], "summary": "Per-arm figures, sample-ratio-mismatch check, always-valid sequential comparison and verdict", "operationId": "getExperiment",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "Summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExperimentSummary"}}}},
          "404": {"description": "Unknown experiment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/experiments/{id}/stop": {
      "post": {
        "tags": ["experiments"], "summary": "Stop an experiment (its data and feedback are kept)", "operationId": "stopExperiment",
        "security": [{"adminToken": []}],
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "Stopped; its summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExperimentSummary"}}}},
          "401": {"description": "Missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "403": {"description": "Administration is disabled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "404": {"description": "Unknown experiment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/feedback": {
      "post": {
        "tags": ["experiments"], "summary": "Record the true category of a served request (by request_id, or the latest request of a product_id)", "operationId": "feedback",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["true_category"], "properties": {"request_id": {"type": "string"}, "product_id": {"type": "string"}, "true_category": {"type": "string"}}}}}},
        "responses": {
          "200": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackResult"}}}},
          "400": {"description": "Not a JSON object", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "404": {"description": "No served request matches", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "409": {"description": "Feedback for this request was already recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "422": {"description": "Missing label or id, or wrong types", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/v2": {
      "get": {
        "tags": ["open-inference-protocol"], "summary": "Server metadata", "operationId": "v2ServerMetadata",
        "responses": {"200": {"description": "Server metadata", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2ServerMetadata"}}}}}
      }
    },
    "/v2/health/live": {
      "get": {
        "tags": ["open-inference-protocol"], "summary": "Server liveness", "operationId": "v2Live",
        "responses": {"200": {"description": "Live", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Live"}}}}}
      }
    },
    "/v2/health/ready": {
      "get": {
        "tags": ["open-inference-protocol"], "summary": "Server readiness", "operationId": "v2Ready",
        "responses": {
          "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Ready"}}}},
          "503": {"description": "Not ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Ready"}}}}
        }
      }
    },
    "/v2/models/{name}": {
      "get": {
        "tags": ["open-inference-protocol"], "summary": "Model metadata", "operationId": "v2ModelMetadata",
        "parameters": [{"$ref": "#/components/parameters/ModelName"}],
        "responses": {
          "200": {"description": "Model metadata", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2ModelMetadata"}}}},
          "404": {"$ref": "#/components/responses/V2NotFound"},
          "503": {"$ref": "#/components/responses/V2Unavailable"}
        }
      }
    },
    "/v2/models/{name}/ready": {
      "get": {
        "tags": ["open-inference-protocol"], "summary": "Model readiness", "operationId": "v2ModelReady",
        "parameters": [{"$ref": "#/components/parameters/ModelName"}],
        "responses": {
          "200": {"description": "Model readiness", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2ModelReady"}}}},
          "404": {"$ref": "#/components/responses/V2NotFound"},
          "503": {"description": "Not ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2ModelReady"}}}}
        }
      }
    },
    "/v2/models/{name}/infer": {
      "post": {
        "tags": ["open-inference-protocol"], "summary": "Inference: one BYTES or FP32 input tensor per product field", "operationId": "v2Infer",
        "parameters": [{"$ref": "#/components/parameters/ModelName"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2InferRequest"},
          "example": {"id": "1", "inputs": [{"name": "title", "datatype": "BYTES", "shape": [2], "data": ["Wireless mouse", "Yoga mat"]}, {"name": "price", "datatype": "FP32", "shape": [2, 1], "data": [19.99, 25.0]}], "parameters": {"top_k": 3}}}}},
        "responses": {
          "200": {"description": "Outputs", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2InferResponse"}}}},
          "400": {"$ref": "#/components/responses/V2BadRequest"},
          "404": {"$ref": "#/components/responses/V2NotFound"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "503": {"$ref": "#/components/responses/V2Unavailable"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer", "description": "The token from --admin-token-file or PRODCAT_ADMIN_TOKEN"}},
    "headers": {"RequestId": {"description": "The request id (the client's X-Request-Id when valid, else generated)", "schema": {"type": "string"}}},
    "parameters": {
      "TopK": {"name": "top_k", "in": "query", "required": false, "description": "How many of the most probable categories to return (capped by the number of classes)", "schema": {"type": "integer", "minimum": 1}},
      "RequestId": {"name": "X-Request-Id", "in": "header", "required": false, "description": "Echoed back when it is 1-128 printable ASCII characters; otherwise a random id is generated", "schema": {"type": "string", "maxLength": 128}},
      "ModelName": {"name": "name", "in": "path", "required": true, "description": "The served model's name", "schema": {"type": "string"}}
    },
    "responses": {
      "BadRequest": {"description": "Malformed JSON or HTTP", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "Body or batch over the limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Invalid": {"description": "A field is missing, of the wrong type or out of range", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unavailable": {"description": "No model loaded, or assets not installed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "V2BadRequest": {"description": "Invalid inference request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Error"}}}},
      "V2NotFound": {"description": "No such model or version", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Error"}}}},
      "V2Unavailable": {"description": "No model loaded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Error"}}}}
    },
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message", "field"],
          "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string", "nullable": true},
            "violations": {"type": "array", "description": "Every rule the product broke", "items": {"$ref": "#/components/schemas/RuleViolation"}}}}}
      },
      "RuleViolation": {
        "type": "object", "required": ["field", "code", "message"],
        "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}
      },
      "ErrorDetail": {
        "type": "object", "required": ["code", "message", "field"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string", "nullable": true},
            "violations": {"type": "array", "description": "Every rule the product broke", "items": {"$ref": "#/components/schemas/RuleViolation"}}}
      },
      "Product": {
        "type": "object", "required": ["title"],
        "properties": {
          "title": {"type": "string", "minLength": 1},
          "product_id": {"type": "string", "nullable": true, "description": "Echoed in the response; numbers are accepted too"},
          "seller_id": {"type": "string", "nullable": true, "description": "Numbers are accepted too"},
          "brand": {"type": "string", "nullable": true},
          "subcategory": {"type": "string", "nullable": true},
          "description": {"type": "string", "nullable": true},
          "price": {"type": "number", "minimum": 0, "nullable": true},
          "rating": {"type": "number", "minimum": 0, "maximum": 5, "nullable": true},
          "reviews_count": {"type": "number", "minimum": 0, "nullable": true}
        }
      },
      "BatchRequest": {
        "oneOf": [
          {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Product"}},
          {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Product"}}}}
        ]
      },
      "ScoredCategory": {
        "type": "object", "required": ["category", "probability"],
        "properties": {"category": {"type": "string"}, "probability": {"type": "number"}}
      },
      "DriftReport": {
        "type": "object", "required": ["status", "dataset_drift", "windows", "model"],
        "properties": {
          "status": {"type": "string", "enum": ["insufficient_data", "ok", "warning", "alert"]},
          "dataset_drift": {"type": "boolean"},
          "windows": {"type": "object", "description": "count and time windows: per-feature PSI / KS / JS distance, title tokens, predictions, confidence"},
          "reference": {"type": "object"},
          "options": {"type": "object"},
          "model": {"$ref": "#/components/schemas/ModelRef"}
        }
      },
      "ExperimentArm": {
        "type": "object", "required": ["name", "model", "weight"],
        "properties": {"name": {"type": "string"}, "model": {"type": "string", "description": "models:/NAME/VERSION, models:/NAME@ALIAS or a bundle directory"}, "weight": {"type": "number"}}
      },
      "ExperimentSpec": {
        "type": "object", "required": ["id", "arms"],
        "properties": {
          "id": {"type": "string"}, "description": {"type": "string"},
          "arms": {"type": "array", "items": {"$ref": "#/components/schemas/ExperimentArm"}},
          "key_fields": {"type": "array", "items": {"type": "string"}},
          "alpha": {"type": "number"}, "min_feedback_per_arm": {"type": "integer"},
          "min_detectable_effect": {"type": "number"}, "mixture_sd": {"type": "number"},
          "status": {"type": "string"}, "created_at": {"type": "string"}
        }
      },
      "ExperimentSummary": {
        "type": "object", "required": ["id", "arms", "srm", "verdict"],
        "properties": {
          "id": {"type": "string"},
          "spec": {"$ref": "#/components/schemas/ExperimentSpec"},
          "status": {"type": "string", "enum": ["running", "stopped"]},
          "total_requests": {"type": "integer"},
          "winner": {"type": "string", "nullable": true},
          "arms": {"type": "array", "items": {"type": "object", "required": ["name", "requests", "feedback"]}},
          "srm": {"type": "object"},
          "comparison": {"type": "object"},
          "comparisons": {"type": "array", "items": {"type": "object"}},
          "verdict": {"type": "string", "enum": ["keep_running", "b_better", "b_worse", "no_difference"]}
        }
      },
      "FeedbackResult": {
        "type": "object", "required": ["experiment_id", "arm", "request_id", "predicted_category", "true_category", "correct"],
        "properties": {
          "experiment_id": {"type": "string"}, "arm": {"type": "string"}, "request_id": {"type": "string"},
          "product_id": {"type": "string"}, "predicted_category": {"type": "string"},
          "true_category": {"type": "string"}, "correct": {"type": "boolean"}
        }
      },
      "ExperimentRef": {
        "type": "object", "required": ["id", "arm"],
        "properties": {"id": {"type": "string"}, "arm": {"type": "string"}}
      },
      "FallbackReason": {
        "type": "string", "enum": ["primary_unavailable", "primary_error", "primary_timeout", "out_of_support", "drift_alert"]
      },
      "ShadowSummary": {
        "type": "object", "required": ["model", "submitted", "dropped", "scored", "errors", "agreed", "agreement_rate", "shadow_mean_ms", "primary_mean_ms"],
        "properties": {
          "model": {"type": "object", "nullable": true, "properties": {"name": {"type": "string"}, "version": {"type": "string"}}},
          "submitted": {"type": "integer"}, "dropped": {"type": "integer"}, "queued": {"type": "integer"},
          "scored": {"type": "integer"}, "errors": {"type": "integer"}, "agreed": {"type": "integer"},
          "agreement_rate": {"type": "number", "nullable": true},
          "shadow_mean_ms": {"type": "number"}, "primary_mean_ms": {"type": "number"}
        }
      },
      "ModelRef": {
        "type": "object", "required": ["name", "version"],
        "properties": {"name": {"type": "string"}, "version": {"type": "string"}}
      },
      "Prediction": {
        "type": "object", "required": ["category", "confidence", "probabilities", "model", "fallback", "request_id"],
        "properties": {
          "product_id": {"type": "string"},
          "category": {"type": "string"},
          "confidence": {"type": "number"},
          "probabilities": {"type": "array", "items": {"$ref": "#/components/schemas/ScoredCategory"}},
          "model": {"$ref": "#/components/schemas/ModelRef"},
          "fallback": {"type": "boolean", "description": "True when the fallback model or the class prior answered instead of the primary"},
          "fallback_reason": {"$ref": "#/components/schemas/FallbackReason"},
          "fallback_detail": {"type": "string", "description": "Why, for people"},
          "experiment": {"$ref": "#/components/schemas/ExperimentRef"},
          "request_id": {"type": "string"}
        }
      },
      "BatchItemResult": {
        "type": "object", "required": ["index"],
        "description": "Either category/confidence/probabilities/fallback, or error",
        "properties": {
          "index": {"type": "integer"},
          "product_id": {"type": "string"},
          "category": {"type": "string"},
          "confidence": {"type": "number"},
          "probabilities": {"type": "array", "items": {"$ref": "#/components/schemas/ScoredCategory"}},
          "fallback": {"type": "boolean"},
          "fallback_reason": {"$ref": "#/components/schemas/FallbackReason"},
          "fallback_detail": {"type": "string"},
          "model": {"$ref": "#/components/schemas/ModelRef", "description": "Present when a fallback answered this item"},
          "error": {"$ref": "#/components/schemas/ErrorDetail"}
        }
      },
      "BatchPrediction": {
        "type": "object", "required": ["results", "total_processed", "succeeded", "failed", "processing_time_ms", "model", "request_id"],
        "properties": {
          "results": {"type": "array", "items": {"$ref": "#/components/schemas/BatchItemResult"}},
          "total_processed": {"type": "integer"},
          "succeeded": {"type": "integer"},
          "failed": {"type": "integer"},
          "processing_time_ms": {"type": "number"},
          "model": {"$ref": "#/components/schemas/ModelRef"},
          "request_id": {"type": "string"}
        }
      },
      "ModelInfo": {
        "type": "object", "required": ["name", "version", "family", "source", "loaded_at", "num_classes"],
        "properties": {
          "name": {"type": "string"}, "version": {"type": "string"}, "family": {"type": "string"},
          "source": {"type": "string"}, "loaded_at": {"type": "string"}, "created_at": {"type": "string"},
          "num_classes": {"type": "integer"}
        }
      },
      "ServiceInfo": {
        "type": "object", "required": ["service", "version", "model", "endpoints"],
        "properties": {
          "service": {"type": "string"},
          "version": {"type": "string"},
          "model": {"$ref": "#/components/schemas/ModelInfo"},
          "endpoints": {"type": "array", "items": {"type": "object", "required": ["method", "path", "description"],
            "properties": {"method": {"type": "string"}, "path": {"type": "string"}, "description": {"type": "string"}}}},
          "docs": {"type": "string"}
        }
      },
      "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}},
      "Readiness": {
        "type": "object", "required": ["status"],
        "properties": {
          "status": {"type": "string", "enum": ["ready", "not_ready"]},
          "model": {"$ref": "#/components/schemas/ModelRef"},
          "reason": {"type": "string"}
        }
      },
      "ReloadResult": {
        "type": "object", "required": ["result", "previous_version", "version"],
        "properties": {
          "result": {"type": "string", "enum": ["reloaded", "unchanged"]},
          "previous_version": {"type": "string"},
          "version": {"type": "string"},
          "seconds": {"type": "number"}
        }
      },
      "V2Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
      "V2ServerMetadata": {
        "type": "object", "required": ["name", "version", "extensions"],
        "properties": {"name": {"type": "string"}, "version": {"type": "string"}, "extensions": {"type": "array", "items": {"type": "string"}}}
      },
      "V2Live": {"type": "object", "required": ["live"], "properties": {"live": {"type": "boolean"}}},
      "V2Ready": {"type": "object", "required": ["ready"], "properties": {"ready": {"type": "boolean"}}},
      "V2ModelReady": {"type": "object", "required": ["name", "ready"], "properties": {"name": {"type": "string"}, "ready": {"type": "boolean"}}},
      "V2TensorMetadata": {
        "type": "object", "required": ["name", "datatype", "shape"],
        "properties": {"name": {"type": "string"}, "datatype": {"type": "string", "enum": ["BYTES", "FP32"]}, "shape": {"type": "array", "items": {"type": "integer"}}}
      },
      "V2ModelMetadata": {
        "type": "object", "required": ["name", "versions", "platform", "inputs", "outputs"],
        "properties": {
          "name": {"type": "string"},
          "versions": {"type": "array", "items": {"type": "string"}},
          "platform": {"type": "string", "enum": ["prodcat"]},
          "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2TensorMetadata"}},
          "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2TensorMetadata"}},
          "parameters": {"type": "object", "properties": {"family": {"type": "string"}, "class_names": {"type": "array", "items": {"type": "string"}}}}
        }
      },
      "V2InferInput": {
        "type": "object", "required": ["name", "shape", "datatype", "data"],
        "properties": {
          "name": {"type": "string", "enum": ["title", "brand", "description", "seller_id", "subcategory", "product_id", "price", "rating", "reviews_count"]},
          "shape": {"type": "array", "items": {"type": "integer"}, "description": "[N] or [N, 1]"},
          "datatype": {"type": "string", "description": "BYTES for text inputs; FP32 (or another numeric type) for price, rating and reviews_count"},
          "data": {"type": "array", "description": "N values, flat"}
        }
      },
      "V2InferRequest": {
        "type": "object", "required": ["inputs"],
        "properties": {
          "id": {"type": "string"},
          "parameters": {"type": "object", "properties": {"top_k": {"type": "integer", "minimum": 1}, "probabilities": {"type": "boolean"}}},
          "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2InferInput"}},
          "outputs": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "enum": ["category", "confidence", "probabilities", "labels"]},
            "parameters": {"type": "object", "properties": {"top_k": {"type": "integer", "minimum": 1}}}}}}
        }
      },
      "V2InferOutput": {
        "type": "object", "required": ["name", "datatype", "shape", "data"],
        "properties": {
          "name": {"type": "string", "enum": ["category", "confidence", "probabilities", "labels"]},
          "datatype": {"type": "string", "enum": ["BYTES", "FP32"]},
          "shape": {"type": "array", "items": {"type": "integer"}},
          "data": {"type": "array"}
        }
      },
      "V2InferResponse": {
        "type": "object", "required": ["model_name", "model_version", "outputs"],
        "properties": {
          "model_name": {"type": "string"},
          "model_version": {"type": "string"},
          "id": {"type": "string"},
          "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2InferOutput"}}
        }
      }
    }
  }
})json";

}  // namespace

nlohmann::json OpenApiDocument(const RequestLimits& limits, size_t default_top_k) {
  nlohmann::json doc = nlohmann::json::parse(kDocument);
  doc["info"]["version"] = kVersion;
  auto& schemas = doc["components"]["schemas"];
  auto& product = schemas["Product"]["properties"];
  product["title"]["maxLength"] = limits.rules.max_title_chars;
  product["description"]["maxLength"] = limits.rules.max_description_chars;
  for (const char* field : {"product_id", "seller_id", "brand", "subcategory"}) {
    product[field]["maxLength"] = limits.rules.max_other_chars;
  }
  auto& rating = product["rating"];
  rating["minimum"] = limits.rules.min_rating;
  rating["maximum"] = limits.rules.max_rating;
  for (auto& variant : schemas["BatchRequest"]["oneOf"]) {
    auto& array = variant.contains("items") && variant["items"].contains("$ref")
                      ? variant
                      : variant["properties"]["items"];
    array["maxItems"] = limits.max_batch_items;
  }
  auto& top_k = doc["components"]["parameters"]["TopK"];
  top_k["schema"]["default"] = default_top_k;
  top_k["schema"]["maximum"] = limits.max_top_k;
  doc["info"]["description"] =
      doc["info"]["description"].get<std::string>() + " Limits: request bodies up to " +
      std::to_string(limits.max_single_body_bytes) + " bytes for /predict and " +
      std::to_string(limits.max_batch_body_bytes) + " bytes for batches; at most " +
      std::to_string(limits.max_batch_items) + " items per batch.";
  return doc;
}

}  // namespace prodcat::serving
