#!/usr/bin/env python3
"""Writes crates/standin/tests/fixtures/mockoon/shop.json, the environment the differential
test and the black-box tests serve (Mockoon 9 format, lastMigration 32)."""
import json
from pathlib import Path
n=0
def uid():
    global n; n+=1; return "00000000-0000-4000-8000-%012d"%n
def resp(body="", status=200, rules=None, op="OR", default=False, headers=None, btype="INLINE", file="", bucket="", latency=0, label="", notpl=False):
    return {"uuid":uid(),"body":body,"latency":latency,"statusCode":status,"label":label,"headers":headers or [],
            "bodyType":btype,"filePath":file,"databucketID":bucket,"sendFileAsBody":False,"rules":rules or [],
            "rulesOperator":op,"disableTemplating":notpl,"fallbackTo404":False,"default":default,"crudKey":"id","callbacks":[]}
def rule(target, modifier, value, operator="equals", invert=False):
    return {"target":target,"modifier":modifier,"value":value,"invert":invert,"operator":operator}
def route(method, endpoint, responses, mode=None):
    if not any(r["default"] for r in responses): responses[0]["default"]=True
    return {"uuid":uid(),"type":"http","documentation":"","method":method,"endpoint":endpoint,"responses":responses,"responseMode":mode,"streamingMode":None,"streamingInterval":0}
routes=[
 route("get","users",[resp('[{"id":1,"name":"Ada"},{"id":2,"name":"Linus"}]')]),
 route("get","users/:id",[resp('{"id":"{{urlParam \'id\'}}","name":"user {{urlParam \'id\'}}"}'), resp('{"error":"no user 0"}',404,[rule("params","id","0")])]),
 route("post","users",[resp('{"created":"{{body \'name\'}}","city":"{{body \'address.city\' \'unknown\'}}"}',201)]),
 route("get","search",[resp('{"results":[]}'), resp('{"results":["apple","avocado"]}',200,[rule("query","q","^a","regex")])]),
 route("get","auth/me",[resp('{"error":"unauthorized"}',401), resp('{"user":"ada"}',200,[rule("header","Authorization","Bearer secret")])]),
 route("get","session",[resp('{"session":"none"}'), resp('{"session":"active"}',200,[rule("cookie","sid","abc")])]),
 route("get","counter",[resp('{"n":"later"}'), resp('{"n":"first"}',200,[rule("request_number","","1")])]),
 route("get","sequence",[resp('{"step":1}'),resp('{"step":2}'),resp('{"step":3}')],"SEQUENTIAL"),
 route("get","disabled-rules",[resp('{"which":"default"}',200,default=True), resp('{"which":"rule"}',200,[rule("query","x","1")])],"DISABLE_RULES"),
 route("get","fallback",[resp('{"which":"rule"}',200,[rule("query","x","1")])],"FALLBACK"),
 route("get","fallback",[resp('{"which":"next route"}')]),
 route("get","files/*",[resp('{"wildcard":true}')]),
 route("get","doc",[resp("",200,btype="FILE",file="doc.json")]),
 route("get","catalog",[resp("",200,btype="DATABUCKET",bucket="abc1")]),
 route("post","orders",[resp('{"status":"accepted"}',201), resp('{"error":"empty order"}',400,[rule("body","items","","empty_array")]), resp('{"error":"no customer"}',422,[rule("body","customer","","null")])]),
 route("get","tags",[resp('{"tagged":false}'), resp('{"tagged":true}',200,[rule("query","tag","red","array_includes")])]),
 route("all","anything",[resp('{"method":"{{method}}"}')]),
 route("get","not-admin",[resp('{"role":"admin"}'), resp('{"role":"user"}',200,[rule("header","x-role","admin",invert=True)])]),
 route("get","slow",[resp('{"slow":true}',200,latency=30)]),
 route("get","teapot",[resp("I'm a teapot",418,headers=[{"key":"Content-Type","value":"text/plain"}])]),
 route("delete","users/:id",[resp("",204)]),
 route("get","echo-header",[resp('{"ok":true}',200,headers=[{"key":"X-Echo","value":"{{header 'x-trace' 'none'}}"}])]),
 route("get","raw",[resp('{"raw":"{{urlParam \'x\'}}"}',200,notpl=True)]),
 route("post","login",[resp('{"error":"bad credentials"}',401), resp('{"token":"t-{{body \'user\'}}"}',200,[rule("body","user","ada"),rule("body","password","pw")],op="AND")]),
 {"uuid":uid(),"type":"crud","documentation":"","method":"","endpoint":"products","responses":[resp("",200,btype="DATABUCKET",bucket="prod1",default=True)],"responseMode":None,"streamingMode":None,"streamingInterval":0},
 route("get","products-view",[resp("",200,btype="DATABUCKET",bucket="prod1")]),
 route("get","method-rule",[resp('{"m":"other"}'), resp('{"m":"get"}',200,[rule("method","","get")])]),
]
env={"uuid":uid(),"lastMigration":32,"name":"Shop","endpointPrefix":"api","latency":0,"port":3000,"hostname":"",
 "folders":[],"routes":routes,"rootChildren":[{"type":"route","uuid":r["uuid"]} for r in routes],
 "proxyMode":False,"proxyHost":"","proxyRemovePrefix":False,"tlsOptions":{"enabled":False,"type":"CERT","pfxPath":"","certPath":"","keyPath":"","caPath":"","passphrase":""},
 "cors":True,"headers":[{"key":"Content-Type","value":"application/json"}],"proxyReqHeaders":[],"proxyResHeaders":[],
 "data":[{"uuid":uid(),"id":"abc1","name":"Catalog","documentation":"","value":"[{\"sku\":\"A1\",\"price\":3},{\"sku\":\"B2\",\"price\":5}]"}],
 "callbacks":[]}
env["data"].append({"uuid":uid(),"id":"prod1","name":"Products","documentation":"","value":"[{\"id\":\"p1\",\"name\":\"Lamp\",\"price\":20},{\"id\":\"p2\",\"name\":\"Desk\",\"price\":150}]"})
OUT = Path(__file__).resolve().parents[2] / "crates/standin/tests/fixtures/mockoon/shop.json"
json.dump(env, open(OUT, "w"), indent=2)
