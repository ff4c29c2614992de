// zh-fed-share.js - federation (share) UI strings; merged into zh.js.
export default {
};
