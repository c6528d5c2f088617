#!/usr/bin/env python3
"""Writes crates/standin/tests/fixtures/mockoon/shop.json, the environment the differential
test and the black-box tests serve (Mockoon 9 format, lastMigration 32)."""
import json
from pathlib import Path
n=0
def uid():
    global n; n+=1; return "00000000-0000-4000-8000-%012d"%n
def resp(body="", status=200, rules=None, op="OR", default=False, headers=None, btype="INLINE", file="", bucket="", latency=0, label="", notpl=False, as_body=False, fallback=False):
    return {"uuid":uid(),"body":body,"latency":latency,"statusCode":status,"label":label,"headers":headers or [],
            "bodyType":btype,"filePath":file,"databucketID":bucket,"sendFileAsBody":as_body,"rules":rules or [],
            "rulesOperator":op,"disableTemplating":notpl,"fallbackTo404":fallback,"default":default,"crudKey":"id","callbacks":[]}
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
 # Rules on the state and on templates.
 route("get","mode",[resp('{"mode":"closed"}'), resp('{"mode":"open"}',200,[rule("data_bucket","Settings.mode","open")])]),
 route("post","flags/:name",[resp('{{setGlobalVar (urlParam \'name\') (body \'on\')}}{"set":"{{urlParam \'name\'}}"}')]),
 route("get","beta",[resp('{"beta":false,"was":"{{getGlobalVar \'beta\' \'\' \'unset\'}}"}'), resp('{"beta":true}',200,[rule("global_var","beta","yes")])]),
 route("get","sum-rule",[resp('{"sum":"other"}'), resp('{"sum":"three"}',200,[rule("templating","{{add (queryParam \'a\') (queryParam \'b\')}}","3")])]),
 route("post","validate",[resp('{"valid":false}',400), resp('{"valid":true}',200,[rule("body","","Schemas.user","valid_json_schema")])]),
 route("get","where/*",[resp('{"path":"other"}'), resp('{"path":"here"}',200,[rule("path","","here$","regex")])]),
 # Data helpers and variables.
 route("get","hits",[resp('{{setData \'inc\' \'Stats\' \'hits\' 1}}{"hits":{{data \'Stats\' \'hits\'}} }')]),
 route("post","log",[resp('{{setData \'push\' \'Journal\' \'\' (body \'msg\')}}{{data \'Journal\'}}',201)]),
 route("get","skus",[resp('[{{#each (dataRaw \'Catalog\')}}"{{sku}}"{{#unless @last}},{{/unless}}{{/each}}]')]),
 route("get","hello",[resp('{{setVar \'who\' (queryParam \'name\')}}{"hello":"{{getVar \'who\'}}"}')]),
 route("get","region",[resp('{"region":"{{getEnvVar \'REGION\' \'none\'}}"}')]),
 # Dates and blocks.
 route("get","dates",[resp('{"next":"{{dateTimeShift date=\'2024-01-31T10:00:00.000Z\' days=1 hours=3 format=\'yyyy-MM-dd HH:mm\'}}","fmt":"{{dateFormat \'2024-03-05T07:08:09.000Z\' \'dd/MM/yyyy HH:mm:ss\'}}","year":"{{now \'yyyy\'}}","zone":"{{dateFormat \'2024-07-01T00:00:00.000Z\' \'yyyy-MM-dd HH:mm xxx OOOO\'}}","local":"{{dateFormat \'2024-01-15T09:30:00\' \'T\'}}"}')]),
 route("get","repeat",[resp('[{{#repeat 3}}{"i":{{@index}},"first":{{@first}} }{{/repeat}}]')]),
 route("get","light",[resp('{"say":{{#switch (queryParam \'c\')}}{{#case \'red\'}}"stop"{{/case}}{{#case \'green\'}}"go"{{/case}}{{#default}}"wait"{{/default}}{{/switch}} }')]),
 # Files.
 route("get","download",[resp("",200,btype="FILE",file="doc.json")]),
 route("get","inline-file",[resp("",200,btype="FILE",file="doc.json",as_body=True)]),
 route("get","gone",[resp('{"error":"gone"}',200,btype="FILE",file="nothing-here.json",fallback=True)]),
 {"uuid":uid(),"type":"crud","documentation":"","method":"","endpoint":"tickets","responses":[resp("",200,btype="DATABUCKET",bucket="tic1",default=True)],"responseMode":None,"streamingMode":None,"streamingInterval":0},
 {"uuid":uid(),"type":"crud","documentation":"","method":"","endpoint":"numbers","responses":[resp("",200,btype="DATABUCKET",bucket="num1",default=True)],"responseMode":None,"streamingMode":None,"streamingInterval":0},
]
env={"uuid":uid(),"lastMigration":32,"name":"Shop","endpointPrefix":"api","latency":0,"port":3000,"hostname":"",
 "folders":[],"routes":routes,"rootChildren":[{"type":"route","uuid":r["uuid"]} for r in routes],
 "proxyMode":False,"proxyHost":"","proxyRemovePrefix":False,"tlsOptions":{"enabled":False,"type":"CERT","pfxPath":"","certPath":"","keyPath":"","caPath":"","passphrase":""},
 "cors":True,"headers":[{"key":"Content-Type","value":"application/json"}],"proxyReqHeaders":[],"proxyResHeaders":[],
 "data":[{"uuid":uid(),"id":"abc1","name":"Catalog","documentation":"","value":"[{\"sku\":\"A1\",\"price\":3},{\"sku\":\"B2\",\"price\":5}]"}],
 "callbacks":[]}
env["data"].append({"uuid":uid(),"id":"prod1","name":"Products","documentation":"","value":"[{\"id\":\"p1\",\"name\":\"Lamp\",\"price\":20},{\"id\":\"p2\",\"name\":\"Desk\",\"price\":150}]"})
env["data"].append({"uuid":uid(),"id":"set1","name":"Settings","documentation":"","value":"{\"mode\":\"open\"}"})
env["data"].append({"uuid":uid(),"id":"sch1","name":"Schemas","documentation":"","value":json.dumps({"user":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}}}})})
env["data"].append({"uuid":uid(),"id":"sta1","name":"Stats","documentation":"","value":"{\"hits\":0}"})
env["data"].append({"uuid":uid(),"id":"log1","name":"Journal","documentation":"","value":"[]"})
env["data"].append({"uuid":uid(),"id":"num1","name":"Numbers","documentation":"","value":json.dumps([{"id":1,"name":"one","size":10},{"id":2,"name":"two","size":30},{"id":5,"name":"five","size":20},{"id":7,"name":"seven","size":40}])})
env["data"].append({"uuid":uid(),"id":"tic1","name":"Tickets","documentation":"","value":"[{\"id\": \"{{add 40 2}}\", \"title\": \"first\"}]"})
OUT = Path(__file__).resolve().parents[2] / "crates/standin/tests/fixtures/mockoon/shop.json"
json.dump(env, open(OUT, "w"), indent=2)
