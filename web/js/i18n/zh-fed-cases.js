// zh-fed-cases.js - federation (cases) UI strings; merged into zh.js.
export default {
};
