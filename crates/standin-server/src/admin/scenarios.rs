//! `/__admin/scenarios`: the scenarios the stubs define with their current states,
//! reset, and a scenario moved to a state.
//!
//! A scenario exists while a stub names it; its possible states are those its stubs
//! require or move to (WireMock's `Scenario.getPossibleStates`), and its state lives in
//! the mock's [`standin_core::state::Store`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::{Value, json};
use standin_core::wire::percent_decode;
use standin_stubs::Stub;

use super::{Admin, error, invalid, json_response, not_found, ok_empty_json, read_json};

/// The stubs of each scenario, by name.
fn scenarios(admin: &Admin) -> BTreeMap<String, Vec<Arc<Stub>>> {
    let mut out: BTreeMap<String, Vec<Arc<Stub>>> = BTreeMap::new();
    for stub in admin.registry.list() {
        if let Some(s) = &stub.scenario {
            out.entry(s.name.clone()).or_default().push(stub.clone());
        }
    }
    out
}

fn possible_states(stubs: &[Arc<Stub>]) -> BTreeSet<String> {
    stubs
        .iter()
        .filter_map(|s| s.scenario.as_ref())
        .flat_map(|s| s.required.iter().chain(s.new_state.iter()).cloned())
        .collect()
}

fn list(admin: &Admin) -> Response<Bytes> {
    let all: Vec<Value> = scenarios(admin)
        .into_iter()
        .map(|(name, stubs)| {
            json!({
                "id": name,
                "name": name,
                "state": admin.store.scenario(&name),
                "possibleStates": possible_states(&stubs),
                "mappings": stubs.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(200, &json!({ "scenarios": all }))
}

fn set_state(admin: &Admin, name: &str, body: &Bytes) -> Response<Bytes> {
    let all = scenarios(admin);
    let Some(stubs) = all.get(name) else {
        return error(
            404,
            404,
            None,
            &format!("Scenario {name} does not exist"),
            "",
        );
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        // No state given: back to the start (WireMock's resetScenario).
        admin.store.set_scenario(name, standin_core::state::STARTED);
        return ok_empty_json();
    }
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(state) = v.get("state").and_then(Value::as_str) else {
        return invalid("/state", "the body must be {\"state\": \"<state name>\"}");
    };
    if !possible_states(stubs).contains(state) && state != standin_core::state::STARTED {
        return error(
            422,
            11,
            None,
            &format!("Scenario {name} does not support state {state}"),
            "",
        );
    }
    admin.store.set_scenario(name, state);
    ok_empty_json()
}

/// Routes `/scenarios/...`.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), rest) {
        ("GET", [] | [""]) => list(admin),
        ("POST", ["reset"]) => {
            admin.store.reset_scenarios();
            ok_empty_json()
        }
        ("PUT", [name, "state"]) => set_state(admin, &percent_decode(name), req.body()),
        ("POST" | "PUT", [name, "reset"]) => {
            let name = percent_decode(name);
            if scenarios(admin).contains_key(&name) {
                admin
                    .store
                    .set_scenario(&name, standin_core::state::STARTED);
                ok_empty_json()
            } else {
                not_found(&format!("Scenario {name} does not exist"))
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use serde_json::json;

    fn with_scenario(f: &Fixture) {
        for (req, new) in [("Started", "Two"), ("Two", "Three")] {
            let stub = json!({
                "scenarioName": "My Flow",
                "requiredScenarioState": req,
                "newScenarioState": new,
                "request": {"url": "/flow"},
                "response": {"body": req}
            });
            let (status, _, _) = call(&f.admin, "POST", "/__admin/mappings", &stub.to_string());
            assert_eq!(status, 201);
        }
    }

    #[test]
    fn scenarios_list_move_and_reset() {
        let f = fixture();
        with_scenario(&f);
        let a = &f.admin;
        let (status, v, _) = call(a, "GET", "/__admin/scenarios", "");
        assert_eq!(status, 200);
        let s = &v["scenarios"][0];
        assert_eq!(s["id"], "My Flow");
        assert_eq!(s["name"], "My Flow");
        assert_eq!(s["state"], "Started");
        assert_eq!(s["possibleStates"], json!(["Started", "Three", "Two"]));
        assert_eq!(s["mappings"].as_array().unwrap().len(), 2);

        let (status, _, _) = call(
            a,
            "PUT",
            "/__admin/scenarios/My%20Flow/state",
            r#"{"state":"Two"}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(a.store.scenario("My Flow"), "Two");
        let (status, v, _) = call(
            a,
            "PUT",
            "/__admin/scenarios/My%20Flow/state",
            r#"{"state":"Nine"}"#,
        );
        assert_eq!(status, 422);
        assert!(v["errors"][0]["title"].as_str().unwrap().contains("Nine"));
        let (status, v, _) = call(
            a,
            "PUT",
            "/__admin/scenarios/Nope/state",
            r#"{"state":"Two"}"#,
        );
        assert_eq!(status, 404);
        assert!(v["errors"][0]["title"].as_str().unwrap().contains("Nope"));
        let (status, _, _) = call(a, "PUT", "/__admin/scenarios/My%20Flow/state", "{bad");
        assert_eq!(status, 422);

        let (status, _, _) = call(a, "POST", "/__admin/scenarios/reset", "");
        assert_eq!(status, 200);
        assert_eq!(a.store.scenario("My Flow"), "Started");
        call(
            a,
            "PUT",
            "/__admin/scenarios/My%20Flow/state",
            r#"{"state":"Three"}"#,
        );
        let (status, _, _) = call(a, "PUT", "/__admin/scenarios/My%20Flow/state", "");
        assert_eq!(status, 200);
        assert_eq!(a.store.scenario("My Flow"), "Started");
    }
}
